package offers

// importStore is what imports need of the Store (import.go).
type importStore interface{}

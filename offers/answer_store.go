package offers

// answerStore is what a person's answers to offers need of the Store.
type answerStore interface{}

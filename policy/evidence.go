package policy

// The evidence kinds a CategoryRule may require; the evidence upload stores
// one of them with every file.
const (
	EvidenceAccount             = "account"              // proof of the account with the provider, or a bank account copy
	EvidenceBilling             = "billing"              // a bill or receipt for the paid service
	EvidenceBusinessCertificate = "business_certificate" // small-business certificate or business registration
	EvidenceSalesRecords        = "sales_records"        // sales for the outage week and the comparison weeks
	EvidenceDriverID            = "driver_id"            // driver qualification or licence
	EvidenceTripRecords         = "trip_records"         // trips with start, end and fare
	EvidenceLogs                = "logs"                 // error or availability logs of a partner's service
)

var evidenceKinds = []string{
	EvidenceAccount, EvidenceBilling, EvidenceBusinessCertificate, EvidenceSalesRecords,
	EvidenceDriverID, EvidenceTripRecords, EvidenceLogs,
}

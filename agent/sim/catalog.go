package sim

// The static catalog the simulated fleets draw from. Prices are list-price-like hourly
// on-demand prices; they only need to be plausible.

type provider struct {
	name        string
	regions     []string
	nodeTypes   []nodeType
	gpuType     nodeType
	mgmtPerHour float64 // managed control plane fee
	lbPerHour   float64
	diskPerGiBM float64 // persistent disk price per GiB-month
	spotFactor  float64 // spot price relative to on-demand
	idPrefix    string  // provider id of a node: prefix + region/zone + name
}

type nodeType struct {
	name     string
	cores    float64
	ramGiB   float64
	perHour  float64
	gpus     float64
	gpuPerHr float64
}

var catalogProviders = []provider{
	{
		name:    "AWS",
		regions: []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"},
		nodeTypes: []nodeType{
			{name: "m6i.large", cores: 2, ramGiB: 8, perHour: 0.096},
			{name: "m6i.xlarge", cores: 4, ramGiB: 16, perHour: 0.192},
			{name: "m6i.2xlarge", cores: 8, ramGiB: 32, perHour: 0.384},
			{name: "r6i.2xlarge", cores: 8, ramGiB: 64, perHour: 0.504},
			{name: "c6i.4xlarge", cores: 16, ramGiB: 32, perHour: 0.68},
		},
		gpuType:     nodeType{name: "g5.xlarge", cores: 4, ramGiB: 16, perHour: 0.2, gpus: 1, gpuPerHr: 0.806},
		mgmtPerHour: 0.10, lbPerHour: 0.0225, diskPerGiBM: 0.08, spotFactor: 0.35, idPrefix: "aws:///",
	},
	{
		name:    "GCP",
		regions: []string{"us-central1", "europe-west1", "europe-west4", "asia-east1"},
		nodeTypes: []nodeType{
			{name: "e2-standard-2", cores: 2, ramGiB: 8, perHour: 0.067},
			{name: "e2-standard-4", cores: 4, ramGiB: 16, perHour: 0.134},
			{name: "n2-standard-8", cores: 8, ramGiB: 32, perHour: 0.388},
			{name: "n2-highmem-8", cores: 8, ramGiB: 64, perHour: 0.524},
			{name: "c2-standard-16", cores: 16, ramGiB: 64, perHour: 0.835},
		},
		gpuType:     nodeType{name: "g2-standard-4", cores: 4, ramGiB: 16, perHour: 0.2, gpus: 1, gpuPerHr: 0.507},
		mgmtPerHour: 0.10, lbPerHour: 0.025, diskPerGiBM: 0.10, spotFactor: 0.3, idPrefix: "gce://",
	},
	{
		name:    "Azure",
		regions: []string{"eastus", "westeurope", "northeurope", "southeastasia"},
		nodeTypes: []nodeType{
			{name: "Standard_D2s_v5", cores: 2, ramGiB: 8, perHour: 0.096},
			{name: "Standard_D4s_v5", cores: 4, ramGiB: 16, perHour: 0.192},
			{name: "Standard_D8s_v5", cores: 8, ramGiB: 32, perHour: 0.384},
			{name: "Standard_E8s_v5", cores: 8, ramGiB: 64, perHour: 0.504},
			{name: "Standard_F16s_v2", cores: 16, ramGiB: 32, perHour: 0.677},
		},
		gpuType:     nodeType{name: "Standard_NC4as_T4_v3", cores: 4, ramGiB: 28, perHour: 0.2, gpus: 1, gpuPerHr: 0.326},
		mgmtPerHour: 0, lbPerHour: 0.025, diskPerGiBM: 0.095, spotFactor: 0.25, idPrefix: "azure:///subscriptions/",
	},
}

// OpenCost's default split of a node price between CPU and RAM: $/core-hour and $/GiB-hour.
const (
	defaultCPUHourly = 0.031611
	defaultRAMHourly = 0.004237
)

type namespaceSpec struct {
	name string
	team string
	apps []string
}

// catalogNamespaces are picked in order of a skewed (Zipf) size distribution: the first are
// the biggest.
var catalogNamespaces = []namespaceSpec{
	{"checkout", "payments", []string{"checkout-api", "cart", "pricing", "tax-calculator"}},
	{"search", "discovery", []string{"search-api", "indexer", "query-planner", "autocomplete"}},
	{"data-pipeline", "data", []string{"ingest", "transformer", "compactor", "exporter"}},
	{"frontend", "web", []string{"web", "storefront", "assets", "bff"}},
	{"ml-serving", "ml", []string{"inference", "feature-store", "model-router"}},
	{"payments", "payments", []string{"ledger", "payouts", "fraud-score", "billing"}},
	{"identity", "platform", []string{"auth", "sso-gateway", "session-store"}},
	{"orders", "fulfilment", []string{"orders-api", "shipping", "inventory", "notifier"}},
	{"analytics", "data", []string{"reports", "dashboards", "warehouse-sync"}},
	{"messaging", "platform", []string{"kafka", "zookeeper", "schema-registry"}},
	{"recommendations", "discovery", []string{"recs-api", "trainer", "candidate-gen"}},
	{"customer-support", "support", []string{"tickets", "chat", "kb"}},
	{"marketing", "growth", []string{"campaigns", "email-sender", "ab-test"}},
	{"logistics", "fulfilment", []string{"routing", "tracking", "carrier-gw"}},
	{"media", "web", []string{"thumbnailer", "transcoder", "cdn-origin"}},
	{"partners", "growth", []string{"partner-api", "webhooks"}},
	{"internal-tools", "platform", []string{"admin", "backoffice", "feature-flags"}},
	{"risk", "payments", []string{"risk-engine", "rules"}},
	{"catalog", "discovery", []string{"catalog-api", "importer", "images"}},
	{"reviews", "web", []string{"reviews-api", "moderation"}},
}

// System namespaces every cluster runs.
var (
	kubeSystem = namespaceSpec{"kube-system", "platform", []string{"coredns", "metrics-server", "cluster-autoscaler"}}
	monitoring = namespaceSpec{"monitoring", "platform", []string{"prometheus", "grafana", "alertmanager"}}
)

var sidecars = []string{"istio-proxy", "log-shipper", "otel-collector"}

var environments = []string{"prod", "prod", "prod", "staging", "dev"}

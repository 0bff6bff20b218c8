output "federated_store_yaml" {
  description = "federated-store.yaml per cluster id."
  value       = module.fedcost.federated_store_yaml
}

output "agent_helm_values" {
  description = "fedcost-agent Helm values per cluster id."
  value       = module.fedcost.agent_helm_values
}

output "query_store_yaml" {
  description = "federated-store.yaml for the query pod."
  value       = module.fedcost.query_store_yaml
}

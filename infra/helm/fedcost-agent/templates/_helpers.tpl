{{/* Name of the chart, overridable. */}}
{{- define "fedcost-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: release name, plus the chart name unless the release already contains it. */}}
{{- define "fedcost-agent.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "fedcost-agent.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "fedcost-agent.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "fedcost-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fedcost-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fedcost-agent.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "fedcost-agent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fedcost
fedcost.io/cluster-id: {{ .Values.clusterId | quote }}
{{- end -}}

{{- define "fedcost-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "fedcost-agent.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "fedcost-agent.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Service account annotations: the workloadIdentity shortcuts merged under explicit annotations. */}}
{{- define "fedcost-agent.serviceAccountAnnotations" -}}
{{- $a := dict -}}
{{- with .Values.workloadIdentity.aws.roleArn }}{{ $_ := set $a "eks.amazonaws.com/role-arn" . }}{{ end -}}
{{- with .Values.workloadIdentity.gcp.serviceAccount }}{{ $_ := set $a "iam.gke.io/gcp-service-account" . }}{{ end -}}
{{- with .Values.workloadIdentity.azure.clientId }}{{ $_ := set $a "azure.workload.identity/client-id" . }}{{ end -}}
{{- $a = merge (deepCopy .Values.serviceAccount.annotations) $a -}}
{{- if $a }}{{ toYaml $a }}{{ end -}}
{{- end -}}

{{/* Install id: the value, else a hash of the cluster's kube-system UID and the release (empty
when rendered without a cluster, e.g. helm template). */}}
{{- define "fedcost-agent.installId" -}}
{{- if .Values.installId -}}
{{- .Values.installId -}}
{{- else -}}
{{- $ns := lookup "v1" "Namespace" "" "kube-system" -}}
{{- if and $ns $ns.metadata $ns.metadata.uid -}}
{{- printf "%s/%s/%s" $ns.metadata.uid .Release.Namespace .Release.Name | sha256sum | trunc 32 -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of the chart, overridable. */}}
{{- define "fedcost-query.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: release name, plus the chart name unless the release already contains it. */}}
{{- define "fedcost-query.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "fedcost-query.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "fedcost-query.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "fedcost-query.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fedcost-query.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fedcost-query.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "fedcost-query.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fedcost
{{- end -}}

{{- define "fedcost-query.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "fedcost-query.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "fedcost-query.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Service account annotations: the workloadIdentity shortcuts merged under explicit annotations. */}}
{{- define "fedcost-query.serviceAccountAnnotations" -}}
{{- $a := dict -}}
{{- with .Values.workloadIdentity.aws.roleArn }}{{ $_ := set $a "eks.amazonaws.com/role-arn" . }}{{ end -}}
{{- with .Values.workloadIdentity.gcp.serviceAccount }}{{ $_ := set $a "iam.gke.io/gcp-service-account" . }}{{ end -}}
{{- with .Values.workloadIdentity.azure.clientId }}{{ $_ := set $a "azure.workload.identity/client-id" . }}{{ end -}}
{{- $a = merge (deepCopy .Values.serviceAccount.annotations) $a -}}
{{- if $a }}{{ toYaml $a }}{{ end -}}
{{- end -}}

{{/* Volumes shared by the query and webhook pods: the store Secret, /tmp and the optional CA. */}}
{{- define "fedcost-query.caVolume" -}}
{{- if .Values.caBundle.enabled }}
- name: ca
  {{- if .Values.caBundle.configMap }}
  configMap:
    name: {{ .Values.caBundle.configMap }}
  {{- else }}
  secret:
    secretName: {{ .Values.caBundle.secret }}
  {{- end }}
    items:
      - key: {{ .Values.caBundle.key }}
        path: {{ .Values.caBundle.key }}
{{- end }}
{{- end -}}

{{- define "fedcost-query.caMount" -}}
{{- if .Values.caBundle.enabled }}
- name: ca
  mountPath: /etc/fedcost/ca
  readOnly: true
{{- end }}
{{- end -}}

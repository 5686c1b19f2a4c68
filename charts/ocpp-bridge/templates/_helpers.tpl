{{/*
Named templates of the ocpp-bridge chart.

The container, its volumes and its grace period are defined once here and used by both modes:
the chart's own Deployment (standalone) and a CSMS chart's pod (sidecar). Every template takes the
ocpp-bridge chart's scope: `.` in this chart, `(index .Subcharts "ocpp-bridge")` in a parent chart.
*/}}

{{/* Chart name, overridable. */}}
{{- define "ocpp-bridge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's resources: <release>-<chart name>, unless the release name already has it. */}}
{{- define "ocpp-bridge.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "ocpp-bridge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "ocpp-bridge.labels" -}}
helm.sh/chart: {{ include "ocpp-bridge.chart" . }}
{{ include "ocpp-bridge.selectorLabels" . }}
app.kubernetes.io/version: {{ include "ocpp-bridge.imageTag" . | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: bridge
app.kubernetes.io/part-of: ocpp-bridge
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels selecting the bridge pods of a standalone release. */}}
{{- define "ocpp-bridge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ocpp-bridge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Sidecar mode: labels a CSMS chart adds to its pod template (under metadata.labels) so that this
chart's Service finds the pods that carry the bridge.
*/}}
{{- define "ocpp-bridge.sidecarPodLabels" -}}
ocpp-bridge-sidecar: {{ include "ocpp-bridge.fullname" . }}
{{- end }}

{{/* What the Service and the ServiceMonitor's endpoints select, in either mode. */}}
{{- define "ocpp-bridge.podSelector" -}}
{{- if eq .Values.mode "sidecar" }}
{{- if .Values.sidecar.podSelector }}
{{- toYaml .Values.sidecar.podSelector }}
{{- else }}
{{- include "ocpp-bridge.sidecarPodLabels" . }}
{{- end }}
{{- else }}
{{- include "ocpp-bridge.selectorLabels" . }}
{{- end }}
{{- end }}

{{/* Name of the ClusterIP Service of the admin port (metrics), never published by the Ingress. */}}
{{- define "ocpp-bridge.adminServiceName" -}}
{{- printf "%s-admin" (include "ocpp-bridge.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of the service account of standalone pods. */}}
{{- define "ocpp-bridge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ocpp-bridge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image tag: image.tag, else the chart's appVersion. */}}
{{- define "ocpp-bridge.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion | toString }}
{{- end }}

{{/* Image reference: repository:tag, or repository@digest when a digest is given. */}}
{{- define "ocpp-bridge.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "ocpp-bridge.imageTag" .) }}
{{- end }}
{{- end }}

{{/* Name of the ConfigMap holding the topology file, or "" when there is none. */}}
{{- define "ocpp-bridge.topologyConfigMap" -}}
{{- if .Values.settings.topologyFile.content }}
{{- printf "%s-topology" (include "ocpp-bridge.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- .Values.settings.topologyFile.configMapName }}
{{- end }}
{{- end }}

{{/* Where the topology file and the CA bundle are mounted in the container. */}}
{{- define "ocpp-bridge.topologyDir" -}}/etc/ocpp-bridge/topology{{- end }}
{{- define "ocpp-bridge.caBundleDir" -}}/etc/ocpp-bridge/ca{{- end }}

{{/*
The other file settings, each a map {secretName, configMapName, key} like caBundle: mounted from the
Secret or ConfigMap at /etc/ocpp-bridge/<kebab-case name>, and BRIDGE_<NAME> points at the file.
*/}}
{{- define "ocpp-bridge.fileSettingKeys" -}}stationAllowlistFile tlsCertFile tlsKeyFile upstreamClientCertFile upstreamClientKeyFile stationModesFile{{- end }}

{{/* "true" when the SQLite store is kept on a PersistentVolumeClaim (standalone mode only). */}}
{{- define "ocpp-bridge.persistence" -}}
{{- if and (eq .Values.mode "standalone") .Values.persistence.enabled }}true{{- end }}
{{- end }}

{{/* Name of the claim holding the store: the existing one, or the one the chart creates. */}}
{{- define "ocpp-bridge.claimName" -}}
{{- .Values.persistence.existingClaim | default (printf "%s-data" (include "ocpp-bridge.fullname" .) | trunc 63 | trimSuffix "-") }}
{{- end }}

{{/*
The store the bridge is started with: settings.storeUrl, except that with persistence the chart's
default (SQLite on the /tmp emptyDir) moves onto the volume.
*/}}
{{- define "ocpp-bridge.storeUrl" -}}
{{- if and (include "ocpp-bridge.persistence" .) (eq .Values.settings.storeUrl "sqlite:////tmp/ocpp-bridge.sqlite3") }}
{{- printf "sqlite:///%s/ocpp-bridge.sqlite3" (.Values.persistence.mountPath | trimSuffix "/") }}
{{- else }}
{{- .Values.settings.storeUrl }}
{{- end }}
{{- end }}

{{/*
A setting's value as an environment variable: lists comma separated, whole numbers without an
exponent (YAML numbers arrive as floats: 1048576 would otherwise print as 1.048576e+06), null empty.
*/}}
{{- define "ocpp-bridge.envValue" -}}
{{- if kindIs "slice" . }}
{{- join "," . }}
{{- else if kindIs "float64" . }}
{{- if eq . (floor .) }}{{ int64 . }}{{ else }}{{ . }}{{ end }}
{{- else if not (kindIs "invalid" .) }}
{{- . }}
{{- end }}
{{- end }}

{{/*
Environment of the bridge container: BRIDGE_<SETTING> for every key of .Values.settings, so a new
setting only needs its key in values.yaml and values.schema.json. Empty strings and lists are left
out (the bridge's default applies). The file settings (maps) are mounted and point at the mount.
*/}}
{{- define "ocpp-bridge.env" -}}
{{- $workers := .Values.settings.workers }}
{{- if and (eq (include "ocpp-bridge.storeUrl" .) "memory:") (or (eq (toString $workers) "auto") (gt (int $workers) 1)) }}
{{- fail (printf "settings.workers is %v but settings.storeUrl is memory:, which each worker process keeps to itself: use the default SQLite store or a shared Redis (settings.storeUrl=redis://<host>:6379/0), or settings.workers=1." $workers) }}
{{- end }}
{{- range $key, $value := .Values.settings }}
{{- if eq $key "storeUrl" }}
- name: BRIDGE_STORE_URL
  value: {{ include "ocpp-bridge.storeUrl" $ | quote }}
{{- else if not (kindIs "map" $value) }}
{{- $text := include "ocpp-bridge.envValue" $value }}
{{- if ne $text "" }}
- name: BRIDGE_{{ snakecase $key | upper }}
  value: {{ $text | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.settings.caBundle }}
{{- if or .secretName .configMapName }}
- name: BRIDGE_CA_BUNDLE
  value: {{ printf "%s/%s" (include "ocpp-bridge.caBundleDir" $) .key | quote }}
{{- end }}
{{- end }}
{{- if include "ocpp-bridge.topologyConfigMap" . }}
- name: BRIDGE_TOPOLOGY_FILE
  value: {{ printf "%s/%s" (include "ocpp-bridge.topologyDir" .) .Values.settings.topologyFile.key | quote }}
{{- end }}
{{- range $key := splitList " " (include "ocpp-bridge.fileSettingKeys" .) }}
{{- $file := index $.Values.settings $key }}
{{- if or $file.secretName $file.configMapName }}
- name: BRIDGE_{{ snakecase $key | upper }}
  value: {{ printf "/etc/ocpp-bridge/%s/%s" (kebabcase $key) $file.key | quote }}
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Seconds from the start of a pod's termination until the bridge has closed its stations: the preStop
pause, then settings.drainTimeout (rounded up). In sidecar mode the CSMS should keep serving that long.
*/}}
{{- define "ocpp-bridge.drainSeconds" -}}
{{- add (int .Values.preStopSleepSeconds) (int (ceil .Values.settings.drainTimeout)) }}
{{- end }}

{{/* terminationGracePeriodSeconds of a pod carrying the bridge: the drain, plus a margin. */}}
{{- define "ocpp-bridge.terminationGracePeriodSeconds" -}}
{{- add (include "ocpp-bridge.drainSeconds" . | int) (int .Values.terminationGraceMarginSeconds) }}
{{- end }}

{{/*
The bridge container, as one item of a pod's `containers` list: used by the Deployment and, in
sidecar mode, by the CSMS chart (through "ocpp-bridge.sidecar").
*/}}
{{- define "ocpp-bridge.container" -}}
- name: ocpp-bridge
  image: {{ include "ocpp-bridge.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  command:
    - ocpp-bridge
  {{- with .Values.extraArgs }}
  args:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  env:
    {{- include "ocpp-bridge.env" . | trim | nindent 4 }}
  {{- if or .Values.existingSecret .Values.envFrom }}
  envFrom:
    {{- with .Values.existingSecret }}
    - secretRef:
        name: {{ . }}
    {{- end }}
    {{- with .Values.envFrom }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  ports:
    - name: ocpp-bridge
      containerPort: {{ .Values.settings.port }}
      protocol: TCP
    # /healthz, /readyz, /metrics in plain HTTP (even when the station port speaks TLS)
    - name: admin
      containerPort: {{ .Values.settings.adminPort }}
      protocol: TCP
  livenessProbe:
    httpGet:
      path: /healthz
      port: admin
    {{- toYaml .Values.livenessProbe | nindent 4 }}
  readinessProbe:
    httpGet:
      path: /readyz
      port: admin
    {{- toYaml .Values.readinessProbe | nindent 4 }}
  {{- if .Values.startupProbe.enabled }}
  startupProbe:
    httpGet:
      path: /healthz
      port: admin
    {{- toYaml (omit .Values.startupProbe "enabled") | nindent 4 }}
  {{- end }}
  {{- if gt (int .Values.preStopSleepSeconds) 0 }}
  lifecycle:
    preStop:
      exec:
        command:
          - sleep
          - {{ .Values.preStopSleepSeconds | int | quote }}
  {{- end }}
  {{- with .Values.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.securityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumeMounts:
    - name: ocpp-bridge-tmp
      mountPath: /tmp
    {{- if include "ocpp-bridge.persistence" . }}
    - name: ocpp-bridge-data
      mountPath: {{ .Values.persistence.mountPath }}
    {{- end }}
    {{- if include "ocpp-bridge.topologyConfigMap" . }}
    - name: ocpp-bridge-topology
      mountPath: {{ include "ocpp-bridge.topologyDir" . }}
      readOnly: true
    {{- end }}
    {{- if or .Values.settings.caBundle.secretName .Values.settings.caBundle.configMapName }}
    - name: ocpp-bridge-ca
      mountPath: {{ include "ocpp-bridge.caBundleDir" . }}
      readOnly: true
    {{- end }}
    {{- range $key := splitList " " (include "ocpp-bridge.fileSettingKeys" .) }}
    {{- $file := index $.Values.settings $key }}
    {{- if or $file.secretName $file.configMapName }}
    - name: ocpp-bridge-{{ kebabcase $key }}
      mountPath: /etc/ocpp-bridge/{{ kebabcase $key }}
      readOnly: true
    {{- end }}
    {{- end }}
    {{- with .Values.extraVolumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}

{{/* Sidecar mode: the bridge container, for the `containers` list of the CSMS pod. */}}
{{- define "ocpp-bridge.sidecar" -}}
{{- include "ocpp-bridge.container" . }}
{{- end }}

{{/* The volumes the bridge container mounts, as items of a pod's `volumes` list (both modes). */}}
{{- define "ocpp-bridge.volumes" -}}
- name: ocpp-bridge-tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if include "ocpp-bridge.persistence" . }}
- name: ocpp-bridge-data
  persistentVolumeClaim:
    claimName: {{ include "ocpp-bridge.claimName" . }}
{{- end }}
{{- with include "ocpp-bridge.topologyConfigMap" . }}
- name: ocpp-bridge-topology
  configMap:
    name: {{ . }}
    items:
      - key: {{ $.Values.settings.topologyFile.key }}
        path: {{ $.Values.settings.topologyFile.key }}
{{- end }}
{{- with .Values.settings.caBundle }}
{{- if .secretName }}
- name: ocpp-bridge-ca
  secret:
    secretName: {{ .secretName }}
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- else if .configMapName }}
- name: ocpp-bridge-ca
  configMap:
    name: {{ .configMapName }}
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- end }}
{{- end }}
{{- range $key := splitList " " (include "ocpp-bridge.fileSettingKeys" .) }}
{{- $file := index $.Values.settings $key }}
{{- if $file.secretName }}
- name: ocpp-bridge-{{ kebabcase $key }}
  secret:
    secretName: {{ $file.secretName }}
    items:
      - key: {{ $file.key }}
        path: {{ $file.key }}
{{- else if $file.configMapName }}
- name: ocpp-bridge-{{ kebabcase $key }}
  configMap:
    name: {{ $file.configMapName }}
    items:
      - key: {{ $file.key }}
        path: {{ $file.key }}
{{- end }}
{{- end }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Sidecar mode: pod annotation that rolls the CSMS pods when the chart's topology file changes. */}}
{{- define "ocpp-bridge.podAnnotations" -}}
{{- if .Values.settings.topologyFile.content -}}
checksum/ocpp-bridge-topology: {{ .Values.settings.topologyFile.content | sha256sum }}
{{- end }}
{{- end }}

{{/* Names and labels. */}}
{{- define "fuban.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fuban.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "fuban.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fuban.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fuban.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fuban.labels" -}}
helm.sh/chart: {{ include "fuban.chart" . }}
{{ include "fuban.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fuban
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of one component: (dict "ctx" $ "component" "api") */}}
{{- define "fuban.componentLabels" -}}
{{ include "fuban.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "fuban.componentSelector" -}}
{{ include "fuban.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "fuban.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "fuban.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Images. */}}
{{- define "fuban.image" -}}
{{- $reg := .ctx.Values.image.registry -}}
{{- $tag := default .ctx.Chart.AppVersion .image.tag -}}
{{- if $reg -}}{{ printf "%s/%s:%s" (trimSuffix "/" $reg) .image.repository $tag }}{{- else -}}{{ printf "%s:%s" .image.repository $tag }}{{- end -}}
{{- end -}}

{{- define "fuban.apiImage" -}}
{{ include "fuban.image" (dict "ctx" . "image" .Values.image.api) }}
{{- end -}}

{{- define "fuban.webImage" -}}
{{ include "fuban.image" (dict "ctx" . "image" .Values.image.web) }}
{{- end -}}

{{/*
A secret value kept across upgrades: the existing Secret's data if the cluster has it, else a new
random one. (dict "ctx" $ "name" secretName "key" dataKey "length" n)
*/}}
{{- define "fuban.keptSecret" -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .name -}}
{{- if and $existing $existing.data (hasKey $existing.data .key) -}}
{{- index $existing.data .key -}}
{{- else -}}
{{- randAlphaNum (int .length) | b64enc -}}
{{- end -}}
{{- end -}}

{{/* Names of the Secrets the pods read. */}}
{{- define "fuban.appSecretName" -}}
{{- default (printf "%s-app" (include "fuban.fullname" .)) .Values.fuban.secretKey.existingSecret -}}
{{- end -}}

{{- define "fuban.postgresql.host" -}}
{{- if eq .Values.postgresql.mode "bundled" -}}{{ include "fuban.fullname" . }}-postgresql{{- else -}}{{ .Values.postgresql.external.host }}{{- end -}}
{{- end -}}

{{- define "fuban.postgresql.port" -}}
{{- if eq .Values.postgresql.mode "bundled" -}}5432{{- else -}}{{ .Values.postgresql.external.port }}{{- end -}}
{{- end -}}

{{- define "fuban.postgresql.secretName" -}}
{{- if eq .Values.postgresql.mode "bundled" -}}
{{- default (printf "%s-postgresql" (include "fuban.fullname" .)) .Values.postgresql.bundled.existingSecret -}}
{{- else -}}
{{- .Values.postgresql.external.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "fuban.postgresql.passwordKey" -}}
{{- if eq .Values.postgresql.mode "bundled" -}}{{ .Values.postgresql.bundled.passwordKey }}{{- else -}}{{ .Values.postgresql.external.passwordKey }}{{- end -}}
{{- end -}}

{{- define "fuban.valkey.secretName" -}}
{{- if eq .Values.valkey.mode "bundled" -}}
{{- default (printf "%s-valkey" (include "fuban.fullname" .)) .Values.valkey.bundled.existingSecret -}}
{{- else -}}
{{- .Values.valkey.external.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "fuban.valkey.passwordKey" -}}
{{- if eq .Values.valkey.mode "bundled" -}}{{ .Values.valkey.bundled.passwordKey }}{{- else -}}{{ .Values.valkey.external.passwordKey }}{{- end -}}
{{- end -}}

{{- define "fuban.s3.secretName" -}}
{{- if eq .Values.objectStorage.mode "bundled" -}}
{{- default (printf "%s-minio" (include "fuban.fullname" .)) .Values.objectStorage.bundled.existingSecret -}}
{{- else -}}
{{- .Values.objectStorage.external.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "fuban.s3.endpoint" -}}
{{- if eq .Values.objectStorage.mode "bundled" -}}{{ include "fuban.fullname" . }}-minio:9000{{- else -}}{{ .Values.objectStorage.external.endpoint }}{{- end -}}
{{- end -}}

{{- define "fuban.s3.secure" -}}
{{- if eq .Values.objectStorage.mode "bundled" -}}false{{- else -}}{{ .Values.objectStorage.external.secure }}{{- end -}}
{{- end -}}

{{/*
Environment of every fuban process. Secrets arrive through secretKeyRef only; the URLs are composed
with Kubernetes' $(VAR) expansion, so no password is ever written into a pod spec.
*/}}
{{- define "fuban.env" -}}
{{- $pg := .Values.postgresql -}}
{{- $vk := .Values.valkey -}}
{{- $s3 := .Values.objectStorage -}}
- name: FUBAN_ENV
  value: {{ .Values.fuban.env | quote }}
- name: FUBAN_HOST
  value: "0.0.0.0"
- name: FUBAN_PORT
  value: {{ .Values.api.port | quote }}
- name: FUBAN_TIMEZONE
  value: {{ .Values.fuban.timezone | quote }}
- name: TZ
  value: {{ .Values.fuban.timezone | quote }}
- name: FUBAN_DEFAULT_LOCALE
  value: {{ .Values.fuban.defaultLocale | quote }}
- name: FUBAN_REMINDER_HOUR
  value: {{ .Values.fuban.reminderHour | quote }}
- name: FUBAN_SCHEDULER_SWEEP_SECONDS
  value: {{ .Values.fuban.schedulerSweepSeconds | quote }}
- name: FUBAN_DATABASE_POOL_SIZE
  value: {{ .Values.fuban.databasePoolSize | quote }}
- name: FUBAN_DOCS_ENABLED
  value: {{ .Values.fuban.docsEnabled | quote }}
- name: FUBAN_LOGIN_MAX_FAILURES
  value: {{ .Values.fuban.login.maxFailures | quote }}
- name: FUBAN_LOGIN_LOCKOUT_MINUTES
  value: {{ .Values.fuban.login.lockoutMinutes | quote }}
- name: FUBAN_LOGIN_IP_MAX_FAILURES
  value: {{ .Values.fuban.login.ipMaxFailures | quote }}
- name: FUBAN_LOGIN_IP_WINDOW_MINUTES
  value: {{ .Values.fuban.login.ipWindowMinutes | quote }}
- name: FUBAN_SESSION_IDLE_MINUTES
  value: {{ .Values.fuban.session.idleMinutes | quote }}
- name: FUBAN_SESSION_MAX_HOURS
  value: {{ .Values.fuban.session.maxHours | quote }}
- name: FUBAN_DATA_DIR
  value: /tmp/fuban
{{- if .Values.plugins.enabled }}
- name: FUBAN_PLUGINS
  value: {{ join "," .Values.plugins.enabled | quote }}
{{- end }}
- name: FUBAN_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "fuban.appSecretName" . }}
      key: {{ .Values.fuban.secretKey.key }}
{{- if and (eq $pg.mode "external") $pg.external.urlKey }}
- name: FUBAN_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $pg.external.existingSecret }}
      key: {{ $pg.external.urlKey }}
{{- else }}
- name: FUBAN_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "fuban.postgresql.secretName" . }}
      key: {{ include "fuban.postgresql.passwordKey" . }}
- name: FUBAN_DATABASE_URL
  value: {{ printf "postgresql+asyncpg://%s:$(FUBAN_DB_PASSWORD)@%s:%s/%s" $pg.username (include "fuban.postgresql.host" .) (include "fuban.postgresql.port" .) $pg.database | quote }}
{{- end }}
{{- if and (eq $vk.mode "external") $vk.external.urlKey }}
- name: FUBAN_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $vk.external.existingSecret }}
      key: {{ $vk.external.urlKey }}
{{- else if eq $vk.mode "bundled" }}
- name: FUBAN_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "fuban.valkey.secretName" . }}
      key: {{ include "fuban.valkey.passwordKey" . }}
- name: FUBAN_REDIS_URL
  value: {{ printf "redis://:$(FUBAN_REDIS_PASSWORD)@%s-valkey:6379/0" (include "fuban.fullname" .) | quote }}
{{- else }}
{{- $scheme := ternary "rediss" "redis" $vk.external.tls }}
{{- if $vk.external.existingSecret }}
- name: FUBAN_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $vk.external.existingSecret }}
      key: {{ $vk.external.passwordKey }}
- name: FUBAN_REDIS_URL
  value: {{ printf "%s://:$(FUBAN_REDIS_PASSWORD)@%s:%v/%v" $scheme $vk.external.host $vk.external.port $vk.external.db | quote }}
{{- else }}
- name: FUBAN_REDIS_URL
  value: {{ printf "%s://%s:%v/%v" $scheme $vk.external.host $vk.external.port $vk.external.db | quote }}
{{- end }}
{{- end }}
- name: FUBAN_S3_ENDPOINT
  value: {{ include "fuban.s3.endpoint" . | quote }}
- name: FUBAN_S3_SECURE
  value: {{ include "fuban.s3.secure" . | quote }}
- name: FUBAN_S3_REGION
  value: {{ $s3.region | quote }}
- name: FUBAN_S3_BUCKET
  value: {{ $s3.bucket | quote }}
- name: FUBAN_S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "fuban.s3.secretName" . }}
      key: {{ ternary "root-user" $s3.external.accessKeyKey (eq $s3.mode "bundled") }}
- name: FUBAN_S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "fuban.s3.secretName" . }}
      key: {{ ternary "root-password" $s3.external.secretKeyKey (eq $s3.mode "bundled") }}
{{- range $plugin, $settings := .Values.plugins.settings }}
{{- range $key, $value := $settings }}
- name: {{ printf "FUBAN_%s_%s" $plugin $key | upper | replace "-" "_" }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}
{{- range $plugin, $settings := .Values.plugins.secretSettings }}
{{- range $key, $ref := $settings }}
- name: {{ printf "FUBAN_%s_%s" $plugin $key | upper | replace "-" "_" }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.secret }}
      key: {{ $ref.key }}
{{- end }}
{{- end }}
{{- with .Values.fuban.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Writable /tmp next to a read-only root filesystem. */}}
{{- define "fuban.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "fuban.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "fuban.podSecurityContext" -}}
{{ toYaml .Values.podSecurityContext }}
{{- end -}}

{{- define "fuban.containerSecurityContext" -}}
{{ toYaml .Values.containerSecurityContext }}
{{- end -}}

{{/*
Init container that waits until the schema exists (the migrations hook runs after the bundled
database is created on first install). Checks for Alembic's version table with rows.
*/}}
{{- define "fuban.waitForSchema" -}}
- name: wait-for-schema
  image: {{ include "fuban.apiImage" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  command: ["python", "/scripts/wait_for_schema.py"]
  env:
    {{- include "fuban.env" . | nindent 4 }}
  securityContext:
    {{- include "fuban.containerSecurityContext" . | nindent 4 }}
  resources:
    requests: {cpu: 10m, memory: 64Mi}
    limits: {cpu: 200m, memory: 256Mi}
  volumeMounts:
    {{- include "fuban.tmpMount" . | nindent 4 }}
    - name: scripts
      mountPath: /scripts
      readOnly: true
{{- end -}}

{{- define "fuban.scriptsVolume" -}}
- name: scripts
  configMap:
    name: {{ include "fuban.fullname" . }}-scripts
{{- end -}}

{{/* Probe for pods without an HTTP server (workers, scheduler): Valkey answers PING. */}}
{{- define "fuban.queueProbe" -}}
exec:
  command: ["python", "/scripts/probe_queue.py"]
{{- end -}}

{{/* The fuban pods that talk to the database, Valkey and S3 (NetworkPolicy peers). */}}
{{- define "fuban.clientPeers" -}}
- podSelector:
    matchLabels:
      {{- include "fuban.selectorLabels" . | nindent 6 }}
    matchExpressions:
      - key: app.kubernetes.io/component
        operator: In
        values: [api, worker, scheduler, migrations, backup]
{{- end -}}

{{/* nodeSelector/tolerations/affinity of a component; spreads replicas over nodes unless told otherwise.
(dict "ctx" $ "cfg" .Values.api "component" "api") */}}
{{- define "fuban.scheduling" -}}
{{- with .cfg.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .cfg.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if .cfg.affinity }}
affinity:
  {{- toYaml .cfg.affinity | nindent 2 }}
{{- else }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "fuban.componentSelector" (dict "ctx" .ctx "component" .component) | nindent 14 }}
{{- end }}
{{- end -}}

{{/* Security of a bundled server running as its image's own user: (dict "ctx" $ "uid" 70) */}}
{{- define "fuban.bundledPodSecurity" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "fuban.bundledContainerSecurity" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* A volume claim template: (dict "ctx" $ "storage" .Values.postgresql.bundled.storage) */}}
{{- define "fuban.volumeClaim" -}}
- metadata:
    name: data
  spec:
    accessModes: ["ReadWriteOnce"]
    {{- with (default .ctx.Values.storageClass .storage.storageClass) }}
    storageClassName: {{ . | quote }}
    {{- end }}
    resources:
      requests:
        storage: {{ .storage.size }}
{{- end -}}

{{/* The ClusterIP and headless Services of a bundled server: (dict "ctx" $ "component" "postgresql" "port" 5432) */}}
{{- define "fuban.bundledServices" -}}
{{- range $headless := list false true }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "fuban.fullname" $.ctx }}-{{ $.component }}{{ if $headless }}-hl{{ end }}
  namespace: {{ $.ctx.Release.Namespace }}
  labels:
    {{- include "fuban.componentLabels" (dict "ctx" $.ctx "component" $.component) | nindent 4 }}
spec:
  {{- if $headless }}
  clusterIP: None
  publishNotReadyAddresses: true
  {{- else }}
  type: ClusterIP
  {{- end }}
  selector:
    {{- include "fuban.componentSelector" (dict "ctx" $.ctx "component" $.component) | nindent 4 }}
  ports:
    - name: {{ $.portName }}
      port: {{ $.port }}
      targetPort: {{ $.portName }}
      protocol: TCP
{{- end }}
{{- end -}}

{{/*
Names and labels.
*/}}
{{- define "spine.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; call with (dict "root" $ "service" "<name>") or (dict "root" $). */}}
{{- define "spine.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: spine
{{- with .service }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one service's pods; call with (dict "root" $ "service" "<name>"). */}}
{{- define "spine.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{- define "spine.image" -}}
{{- if not .Values.image.repository -}}
{{- fail "image.repository is empty: set it to the Spine image (the repo at /app with built dist/)" -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/*
Autoscaling mode actually rendered: keda, hpa or off ("auto" asks the cluster for the KEDA API).
*/}}
{{- define "spine.autoscalingMode" -}}
{{- $mode := .Values.autoscaling.mode | default "auto" -}}
{{- if not (has $mode (list "auto" "keda" "hpa" "off")) -}}
{{- fail (printf "autoscaling.mode must be auto, keda, hpa or off, got %q" $mode) -}}
{{- end -}}
{{- if eq $mode "auto" -}}
{{- if .Capabilities.APIVersions.Has "keda.sh/v1alpha1" }}keda{{ else }}hpa{{ end -}}
{{- else -}}
{{- $mode -}}
{{- end -}}
{{- end -}}

{{/*
The plan: the registry (files/registry.json, generated from the stage registry) combined with the values.
Returns JSON {mode, services: [...]}; every template reads it with `include "spine.plan" . | fromJson`,
so names, ports, groups, topics and replica bounds are computed in this one place.
Per service: name, description, port, database, api, fullname, enabled, cfg (serviceDefaults merged with
services.<name>), stages [{name, group, topics, maxReplicas, lagThreshold, activationLagThreshold}],
autoscaler ("keda", "hpa" or ""), minReplicas, maxReplicas, askedMaxReplicas, partitionBound, clamped.
*/}}
{{- define "spine.plan" -}}
{{- $registry := .Files.Get "files/registry.json" | fromJson -}}
{{- if not $registry.services -}}
{{- fail "files/registry.json is missing or has no services: it is generated from the stage registry; run `npx tsc -b && node tools/helm/registry-values.mjs`" -}}
{{- end -}}
{{- $mode := include "spine.autoscalingMode" . -}}
{{- $prefix := .Values.kafka.topicPrefix | default "" -}}
{{- $partitions := int .Values.kafka.topicPartitions -}}
{{- if lt $partitions 1 -}}{{- fail "kafka.topicPartitions must be a positive integer" -}}{{- end -}}
{{- $serviceValues := .Values.services | default dict -}}
{{- $stageValues := .Values.stages | default dict -}}
{{- $knownServices := list -}}
{{- range $registry.services }}{{ $knownServices = append $knownServices .name }}{{ end -}}
{{- range $name, $_ := $serviceValues -}}
{{- if not (has $name $knownServices) -}}
{{- fail (printf "values services.%s: the stage registry has no such service; registered: %s" $name (join ", " $knownServices)) -}}
{{- end -}}
{{- end -}}
{{- $knownStages := list -}}
{{- range $registry.stages }}{{ $knownStages = append $knownStages .name }}{{ end -}}
{{- range $name, $_ := $stageValues -}}
{{- if not (has $name $knownStages) -}}
{{- fail (printf "values stages.%s: the stage registry has no such stage; registered: %s" $name (join ", " $knownStages)) -}}
{{- end -}}
{{- end -}}
{{- $fullname := include "spine.fullname" . -}}
{{- $services := list -}}
{{- range $svc := $registry.services -}}
{{- $cfg := mergeOverwrite (deepCopy $.Values.serviceDefaults) (deepCopy (index $serviceValues $svc.name | default dict)) -}}
{{- $stages := list -}}
{{- $bound := 0 -}}
{{- $registryMin := 0 -}}
{{- range $st := $registry.stages -}}
{{- if eq $st.service $svc.name -}}
{{- /* A stage's bound: its smallest input's partitions (declared, else the deployment's), and its declared max. */ -}}
{{- $stageBound := 0 -}}
{{- $topics := list -}}
{{- range $in := $st.inputs -}}
{{- $p := $partitions -}}
{{- if $in.partitions }}{{ $p = int $in.partitions }}{{ end -}}
{{- if or (eq $stageBound 0) (lt $p $stageBound) }}{{ $stageBound = $p }}{{ end -}}
{{- $topics = append $topics (printf "%s%s" $prefix $in.topic) -}}
{{- end -}}
{{- if ne (toString $st.maxReplicas) "partitions" -}}
{{- $stageBound = min $stageBound (int $st.maxReplicas) | int -}}
{{- end -}}
{{- $override := index $stageValues $st.name | default dict -}}
{{- $lag := int (default $st.lagThreshold $override.lagThreshold) -}}
{{- if lt $lag 1 }}{{ fail (printf "stages.%s.lagThreshold must be a positive integer" $st.name) }}{{ end -}}
{{- $activation := int (default 0 $override.activationLagThreshold) -}}
{{- $stages = append $stages (dict "name" $st.name "group" (printf "%s%s" $prefix $st.group) "topics" $topics "maxReplicas" $stageBound "lagThreshold" $lag "activationLagThreshold" $activation) -}}
{{- /* A service's bound: the largest of its stages' (past it, every stage it hosts has idle members). */ -}}
{{- $bound = max $bound $stageBound | int -}}
{{- $registryMin = max $registryMin (int $st.minReplicas) | int -}}
{{- end -}}
{{- end -}}
{{- $asked := 0 -}}
{{- if $cfg.autoscaling.maxReplicas }}{{ $asked = int $cfg.autoscaling.maxReplicas }}{{ end -}}
{{- $max := $asked -}}
{{- $clamped := false -}}
{{- $autoscaler := "" -}}
{{- if $stages -}}
{{- if or (eq $asked 0) (gt $asked $bound) }}{{ $max = $bound }}{{ end -}}
{{- if gt $asked $bound }}{{ $clamped = true }}{{ end -}}
{{- if ne $mode "off" }}{{ $autoscaler = $mode }}{{ end -}}
{{- else -}}
{{- if eq $asked 0 }}{{ $max = int $.Values.autoscaling.httpMaxReplicas }}{{ end -}}
{{- if ne $mode "off" }}{{ $autoscaler = "hpa" }}{{ end -}}
{{- end -}}
{{- $min := max 1 $registryMin | int -}}
{{- if not (kindIs "invalid" $cfg.autoscaling.minReplicas) }}{{ $min = int $cfg.autoscaling.minReplicas }}{{ end -}}
{{- if and (eq $autoscaler "hpa") (lt $min 1) }}{{ $min = 1 }}{{ end -}}
{{- if gt $min $max }}{{ $min = $max }}{{ end -}}
{{- $services = append $services (dict
  "name" $svc.name "description" $svc.description "port" (int $svc.port) "database" $svc.database "api" $svc.api
  "fullname" (printf "%s-%s" $fullname $svc.name | trunc 63 | trimSuffix "-")
  "enabled" (ne (toString $cfg.enabled) "false") "cfg" $cfg "stages" $stages "autoscaler" $autoscaler
  "minReplicas" $min "maxReplicas" $max "askedMaxReplicas" $asked "partitionBound" $bound "clamped" $clamped) -}}
{{- end -}}
{{- toJson (dict "mode" $mode "services" $services) -}}
{{- end -}}

{{/*
Non-secret configuration shared by every service and the provisioning job, as a map (ConfigMap data and
the hook Job's env, which runs before the ConfigMap exists).
*/}}
{{- define "spine.config" -}}
{{- $mechanism := .Values.kafka.sasl.mechanism | default "" | lower -}}
{{- if not (has $mechanism (list "" "plain" "scram-sha-256" "scram-sha-512")) -}}
{{- fail (printf "kafka.sasl.mechanism must be empty, plain, scram-sha-256 or scram-sha-512, got %q" $mechanism) -}}
{{- end -}}
{{- if and $mechanism (not .Values.kafka.sasl.existingSecret) -}}
{{- fail "kafka.sasl.mechanism is set but kafka.sasl.existingSecret is empty: name the Secret holding the SASL username and password" -}}
{{- end -}}
{{- $config := dict
  "KAFKA_BROKERS" (required "kafka.brokers is required (host:port,...)" .Values.kafka.brokers)
  "KAFKA_SSL" (ternary "true" "false" (eq (toString .Values.kafka.ssl) "true"))
  "KAFKA_SASL_MECHANISM" $mechanism
  "SCHEMA_REGISTRY_URL" (required "schemaRegistry.url is required" .Values.schemaRegistry.url)
  "SPINE_TOPIC_PREFIX" (.Values.kafka.topicPrefix | default "")
  "SPINE_TOPIC_PARTITIONS" (toString (int .Values.kafka.topicPartitions))
  "SPINE_REPLICATION_FACTOR" (toString (int .Values.kafka.replicationFactor))
  "SPINE_DB_SCHEMA" (.Values.database.schema | default "spine") -}}
{{- with .Values.otel.endpoint }}{{ $_ := set $config "OTEL_EXPORTER_OTLP_ENDPOINT" . }}{{ end -}}
{{- range $name, $value := .Values.config -}}
{{- include "spine.refuseSecretName" (dict "where" "config" "name" $name) -}}
{{- $_ := set $config $name (toString $value) -}}
{{- end -}}
{{- toJson $config -}}
{{- end -}}

{{/* Fails when a plain-value env name looks like a secret; call with (dict "where" "..." "name" "..."). */}}
{{- define "spine.refuseSecretName" -}}
{{- if regexMatch "(?i)(PASSWORD|SECRET|TOKEN|API_KEYS?|PRIVATE_KEY|CREDENTIAL|DATABASE_URL|SASL_USERNAME)" .name -}}
{{- fail (printf "%s.%s looks like a secret: plain values are not allowed for it; reference a Secret (kafka.sasl / schemaRegistry.auth / database / auth.apiKeys existingSecret)" .where .name) -}}
{{- end -}}
{{- end -}}

{{/*
Secret-backed env entries for one process, by reference only (secretKeyRef); call with
(dict "root" $ "service" <plan service> ) or (dict "root" $ "provision" true) for the provisioning job.
DATABASE_URL only for a service whose registry entry has `database`; SPINE_API_KEYS / SPINE_JWT_JWKS_URL only
for one with an `api`.
*/}}
{{- define "spine.secretEnv" -}}
{{- $v := .root.Values -}}
{{- if $v.kafka.sasl.mechanism }}
- name: KAFKA_SASL_USERNAME
  valueFrom: { secretKeyRef: { name: {{ $v.kafka.sasl.existingSecret | quote }}, key: {{ $v.kafka.sasl.usernameKey | quote }} } }
- name: KAFKA_SASL_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ $v.kafka.sasl.existingSecret | quote }}, key: {{ $v.kafka.sasl.passwordKey | quote }} } }
{{- end }}
{{- with $v.schemaRegistry.auth.existingSecret }}
- name: SCHEMA_REGISTRY_USERNAME
  valueFrom: { secretKeyRef: { name: {{ . | quote }}, key: {{ $v.schemaRegistry.auth.usernameKey | quote }} } }
- name: SCHEMA_REGISTRY_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ . | quote }}, key: {{ $v.schemaRegistry.auth.passwordKey | quote }} } }
{{- end }}
{{- with .service }}
{{- if .database }}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ required (printf "database.existingSecret is required: service %s keeps its state in PostgreSQL and needs DATABASE_URL" .name) $v.database.existingSecret | quote }}, key: {{ $v.database.urlKey | quote }} } }
{{- end }}
{{- if .api }}
{{- if not (or $v.auth.apiKeys.existingSecret $v.auth.jwksUrl) }}
{{- fail (printf "service %s serves a business API: set auth.apiKeys.existingSecret (a Secret with SPINE_API_KEYS) or auth.jwksUrl, else it refuses every call" .name) }}
{{- end }}
{{- with $v.auth.apiKeys.existingSecret }}
- name: SPINE_API_KEYS
  valueFrom: { secretKeyRef: { name: {{ . | quote }}, key: {{ $v.auth.apiKeys.key | quote }} } }
{{- end }}
{{- with $v.auth.jwksUrl }}
- name: SPINE_JWT_JWKS_URL
  value: {{ . | quote }}
- name: SPINE_JWT_ISSUER
  value: {{ required "auth.jwtIssuer is required with auth.jwksUrl (tokens of any other issuer are refused)" $v.auth.jwtIssuer | quote }}
- name: SPINE_JWT_AUDIENCE
  value: {{ required "auth.jwtAudience is required with auth.jwksUrl" $v.auth.jwtAudience | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by services and the provisioning job. */}}
{{- define "spine.podCommon" -}}
automountServiceAccountToken: false
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
securityContext: {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

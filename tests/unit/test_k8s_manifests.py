"""The Kubernetes manifests (deploy/k8s) are generated from the code, valid offline, and fresh.

No cluster and no network: built-in kinds are checked against the Kubernetes schema
(kubernetes-validate), Strimzi, KEDA and CloudNativePG resources against their vendored CRDs."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from deploy.k8s import render
from deploy.k8s.names import services
from deploy.k8s.overlays import OVERLAYS, version
from deploy.k8s.validation import crd_schemas, problems
from deploy.kafka_access import allowed, partner_access, service_user
from shared import topics
from shared.topics import SUBSCRIPTIONS, TopicSpec, all_topics, dead_letter_topic, partners

RENDERED = Path(render.__file__).parent / "rendered"
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@pytest.fixture(scope="module")
def production() -> list[dict]:
    return render.manifests("production")


def of_kind(manifests: list[dict], kind: str) -> dict[str, dict]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container["env"]}


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_the_committed_render_of_each_overlay_is_what_the_code_renders_now(overlay, monkeypatch):
    monkeypatch.delenv("TUOGUAN_PARTNERS", raising=False)  # the committed files use the default partners
    committed = (RENDERED / f"{overlay}.yaml").read_text()
    assert committed == render.render(overlay), (
        f"stale: run deploy/k8s/render {overlay} > deploy/k8s/rendered/{overlay}.yaml"
    )


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_every_manifest_passes_the_kubernetes_schema_or_its_crd(overlay):
    found = {f"{m['kind']}/{m['metadata']['name']}": problems(m) for m in render.manifests(overlay)}
    assert {name: why for name, why in found.items() if why} == {}


def test_the_crd_check_refuses_a_misspelt_field_and_a_wrong_value(production):
    cluster = copy.deepcopy(of_kind(production, "Cluster")["subsidy-db"])
    cluster["spec"]["backup"]["barmanObjectStore"]["wal"]["compresion"] = "gzip"
    assert any("compresion" in p for p in problems(cluster))
    kafka = copy.deepcopy(of_kind(production, "Kafka")["tuoguan"])
    kafka["spec"]["kafka"]["listeners"][0]["type"] = "public"
    assert problems(kafka)
    deployment = copy.deepcopy(of_kind(production, "Deployment")["notify"])
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["pth"] = "/health"
    assert any("pth" in p for p in problems(deployment))


def test_every_custom_resource_kind_rendered_has_a_vendored_crd(production):
    builtin = {"v1", "apps/v1", "policy/v1", "networking.k8s.io/v1", "autoscaling/v2"}
    custom = {(m["apiVersion"], m["kind"]) for m in production if m["apiVersion"] not in builtin}
    assert custom == {key for key in crd_schemas() if key in custom}
    assert {kind for _, kind in custom} == {
        "Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "ScaledObject", "TriggerAuthentication", "Cluster", "ScheduledBackup",
    }  # fmt: skip


def test_every_name_is_a_valid_kubernetes_name(production):
    assert [m["metadata"]["name"] for m in production if not DNS_SUBDOMAIN.match(m["metadata"]["name"])] == []
    assert len({(m["kind"], m["metadata"]["name"]) for m in production}) == len(production)


def test_the_kafka_topics_are_exactly_the_declared_topics_replicated_three_times(production):
    rendered = {t["spec"]["topicName"]: t["spec"] for t in of_kind(production, "KafkaTopic").values()}
    declared = {t.name: t for t in all_topics("")}
    assert set(rendered) == set(declared)
    for name, spec in rendered.items():
        assert spec["partitions"] == declared[name].partitions
        assert spec["replicas"] == 3 and spec["config"]["min.insync.replicas"] == 2
        assert spec["config"]["retention.ms"] == declared[name].config["retention.ms"]
    assert dead_letter_topic("attendance.events", "notify") in rendered


def test_a_topic_added_to_shared_topics_shows_up_with_its_dead_letter_topic(monkeypatch):
    streams = {**topics.STREAMS, "billing.events": TopicSpec("billing.events", 3, {"retention.ms": "1000"})}
    monkeypatch.setattr(topics, "STREAMS", streams)
    monkeypatch.setitem(topics.SUBSCRIPTIONS, "subsidy", (*topics.SUBSCRIPTIONS["subsidy"], "billing.events"))
    manifests = render.manifests("production")
    rendered = {t["spec"]["topicName"]: t["spec"] for t in of_kind(manifests, "KafkaTopic").values()}
    assert rendered["billing.events"]["partitions"] == 3
    assert "billing.events.dlq.subsidy" in rendered
    subsidy = of_kind(manifests, "KafkaUser")["service-subsidy"]["spec"]["authorization"]["acls"]
    assert {"type": "topic", "name": "billing.events", "patternType": "literal"} in [a["resource"] for a in subsidy]
    lag = of_kind(manifests, "ScaledObject")["subsidy"]["spec"]["triggers"]
    assert "billing.events" in [t["metadata"].get("topic") for t in lag]


def test_each_service_and_partner_principal_is_a_kafka_user_with_exactly_its_acls(production):
    users = of_kind(production, "KafkaUser")
    expected = [service_user(s, "", "") for s in SUBSCRIPTIONS] + [partner_access(p, "", "").user for p in partners()]
    assert set(users) == {u.principal for u in expected}
    assert {p.name for p in partners()} >= {"pingan", "taiping", "henan-stats"}  # the test run's registry
    for user in expected:
        acls = users[user.principal]["spec"]["authorization"]["acls"]
        rendered = {(a["resource"]["type"], a["resource"]["name"], op) for a in acls for op in a["operations"]}
        assert rendered == {(a.kind, a.name, a.operation) for a in allowed(user)}
        assert users[user.principal]["spec"]["authentication"] == {"type": "scram-sha-512"}


def test_a_partner_reads_only_its_own_feed_and_an_insurer_writes_only_its_own_inbound_topic(production):
    users = of_kind(production, "KafkaUser")
    pingan = users["partner-pingan"]["spec"]["authorization"]["acls"]
    assert {(a["resource"]["type"], a["resource"]["name"]) for a in pingan} == {
        ("topic", "partner.pingan.insurance"),
        ("topic", "partner.pingan.inbound"),
        ("group", "partner-pingan"),
    }
    assert {a["resource"]["name"] for a in pingan if "Write" in a["operations"]} == {"partner.pingan.inbound"}
    statistics = users["partner-henan-stats"]["spec"]["authorization"]["acls"]
    assert "Write" not in {op for a in statistics for op in a["operations"]}


def test_the_kafka_cluster_is_three_kraft_nodes_with_acls(production):
    kafka = of_kind(production, "Kafka")["tuoguan"]
    assert kafka["metadata"]["annotations"] == {"strimzi.io/kraft": "enabled", "strimzi.io/node-pools": "enabled"}
    assert kafka["spec"]["kafka"]["authorization"] == {"type": "simple"}
    assert {listener["authentication"]["type"] for listener in kafka["spec"]["kafka"]["listeners"]} == {"scram-sha-512"}
    assert all(listener["tls"] for listener in kafka["spec"]["kafka"]["listeners"])
    (pool,) = of_kind(production, "KafkaNodePool").values()
    assert pool["spec"]["replicas"] == 3 and set(pool["spec"]["roles"]) == {"controller", "broker"}


def test_each_service_runs_the_one_image_as_a_non_root_user_with_both_probes(production):
    deployments = of_kind(production, "Deployment")
    assert set(deployments) == {*SUBSCRIPTIONS, "web"}
    for name in SUBSCRIPTIONS:
        deployment = deployments[name]
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["image"] == f"registry.tuoguan.example/tuoguan:{version()}"
        assert container["args"] == [f"services.{name}"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
        for each in [*pod["containers"], *pod["initContainers"]]:
            assert each["securityContext"]["allowPrivilegeEscalation"] is False
            assert each["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert pod["serviceAccountName"] == name
        assert "replicas" not in deployment["spec"]  # the autoscaler owns it


def test_each_service_has_a_service_a_disruption_budget_and_a_service_account(production):
    for kind in ("Service", "PodDisruptionBudget", "ServiceAccount", "NetworkPolicy"):
        assert set(of_kind(production, kind)) == {*SUBSCRIPTIONS, "web"}, kind


def test_each_service_reads_exactly_its_declared_secrets_from_its_own_secret(production):
    deployments, secrets = of_kind(production, "Deployment"), of_kind(production, "Secret")
    for service in services():
        env = env_of(deployments[service.name]["spec"]["template"]["spec"]["containers"][0])
        own = {
            n for n, e in env.items() if e.get("valueFrom", {}).get("secretKeyRef", {}).get("name") == service.secret
        }
        assert own == set(service.definition.secrets)
        assert secrets[service.secret]["metadata"]["annotations"]["tuoguan.example/keys"].split(",") == list(
            service.definition.secrets
        )


def test_no_secret_value_is_ever_rendered(production):
    not_secret = {"username", "sasl", "tls"}  # a role's or principal's name, how KEDA logs in
    for secret in of_kind(production, "Secret").values():
        assert "data" not in secret
        assert set(secret.get("stringData", {})) <= not_secret, secret["metadata"]["name"]
    for deployment in of_kind(production, "Deployment").values():
        pod = deployment["spec"]["template"]["spec"]
        for container in [*pod["containers"], *pod.get("initContainers", [])]:
            mounted = {m["mountPath"] for m in container.get("volumeMounts", [])}
            for name, entry in env_of(container).items():
                if name.endswith("_FILE"):  # the path of a file mounted from a Secret, never the value
                    assert entry["value"].rsplit("/", 1)[0] in mounted, name
                elif re.search("PASSWORD|SECRET|KEY$", name) and not name.endswith("PUBLIC_KEY"):
                    assert "valueFrom" in entry, name


def test_only_the_migration_sees_the_database_owner_credential(production):
    deployments = of_kind(production, "Deployment")
    for name in SUBSCRIPTIONS:
        pod = deployments[name]["spec"]["template"]["spec"]
        (migrate,) = pod["initContainers"]
        assert migrate["args"][0] == "deploy.k8s.migrate"
        assert any("OWNER" in name for name in env_of(migrate))
        assert not any("OWNER" in name for name in env_of(pod["containers"][0]))


def test_a_service_reaches_only_its_database_kafka_and_dns(production):
    policies = of_kind(production, "NetworkPolicy")
    for name in SUBSCRIPTIONS:
        spec = policies[name]["spec"]
        assert spec["policyTypes"] == ["Ingress", "Egress"]
        peers = [peer for rule in spec["egress"] for peer in rule["to"]]
        selected = [p["podSelector"]["matchLabels"] for p in peers if "podSelector" in p]
        assert {"cnpg.io/cluster": f"{name}-db"} in selected
        assert not [s for s in selected if "cnpg.io/cluster" in s and s["cnpg.io/cluster"] != f"{name}-db"]
        outside = [p for p in peers if "ipBlock" in p]
        assert (outside != []) == (name == "notify")  # notify's channels reach public addresses, no one else
        for block in outside:
            assert "10.0.0.0/8" in block["ipBlock"]["except"]
        assert [rule["ports"][0]["port"] for rule in spec["ingress"]] == [
            of_kind(production, "Deployment")[name]["spec"]["template"]["spec"]["containers"][0]["ports"][0][
                "containerPort"
            ]
        ]


def test_a_consumer_scales_on_its_groups_lag_and_cpu_and_the_http_only_service_on_cpu(production):
    scaled, hpas = of_kind(production, "ScaledObject"), of_kind(production, "HorizontalPodAutoscaler")
    for service in services():
        if service.consumes:
            triggers = scaled[service.name]["spec"]["triggers"]
            lag = [t for t in triggers if t["type"] == "kafka"]
            assert {t["metadata"]["topic"] for t in lag} == set(service.consumes)
            assert {t["metadata"]["consumerGroup"] for t in lag} == {service.name}
            assert [t["type"] for t in triggers if t["type"] != "kafka"] == ["cpu"]
            assert service.name not in hpas  # KEDA owns the Deployment's one HPA
        else:
            assert service.name not in scaled
            assert hpas[service.name]["spec"]["metrics"][0]["resource"]["name"] == "cpu"


def test_each_service_has_its_own_database_cluster_with_backups(production):
    clusters, backups = of_kind(production, "Cluster"), of_kind(production, "ScheduledBackup")
    for service in services():
        spec = clusters[f"{service.name}-db"]["spec"]
        assert spec["instances"] == 3
        assert spec["bootstrap"]["initdb"]["database"] == service.name
        assert spec["backup"]["barmanObjectStore"]["destinationPath"].endswith(f"/{service.name}")
        assert backups[f"{service.name}-db-daily"]["spec"]["cluster"] == {"name": f"{service.name}-db"}


def test_the_render_script_and_the_compose_file_use_the_one_image():
    script = Path(render.__file__).parent / "render"
    assert script.stat().st_mode & 0o111 and 'python" -m deploy.k8s' in script.read_text()
    compose = yaml.safe_load((Path(render.__file__).parents[1] / "container/compose.yaml").read_text())
    ours = {n: s for n, s in compose["services"].items() if s.get("image", "").startswith("tuoguan:")}
    assert {s["image"] for s in ours.values()} == {f"tuoguan:{version()}"}
    assert {s["command"][-1] for s in ours.values() if s["command"][0] == "deploy.launch"} == set(SUBSCRIPTIONS)


# What the web front end must never be given: it owns no data, reads no event and mints no token.
NOT_FOR_THE_WEB = re.compile(
    r"DATABASE|KAFKA|PASSWORD|SIGNING|PRIVATE|PSEUDONYM|SEAL|GATEWAY|WEBHOOK|_OWNER|TUOGUAN_JWT"
)


def web_pod(manifests: list[dict]) -> dict:
    assert "web" in of_kind(manifests, "Deployment"), "the web front end is deployed"
    return of_kind(manifests, "Deployment")["web"]["spec"]["template"]["spec"]


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_the_web_front_end_signs_people_in_at_the_identity_provider_and_holds_no_credential(overlay):
    manifests = render.manifests(overlay)
    pod = web_pod(manifests)
    (container,) = pod["containers"]
    env = {name: entry.get("value") for name, entry in env_of(container).items()}
    assert env["WEB_DEV_SIGN_IN"] == "false", "nobody mints a token in the cluster (env wins over web-settings)"
    assert env["WEB_SECURE_COOKIES"] == "true"
    assert env["WEB_OIDC_ISSUER"].startswith("https://") and env["WEB_OIDC_CLIENT_ID"]
    assert env["WEB_OIDC_REDIRECT_URI"].startswith("https://") and env["WEB_OIDC_REDIRECT_URI"].endswith(
        "/auth/callback"
    )
    assert {env[f"WEB_{s.upper()}_URL"] for s in SUBSCRIPTIONS} == {f"http://{s}" for s in SUBSCRIPTIONS}
    assert set(of_kind(manifests, "Service")) >= set(SUBSCRIPTIONS), "each URL names a Service"

    assert [n for n in env if NOT_FOR_THE_WEB.search(n)] == []
    assert [v for v in env.values() if v and ("postgresql://" in v or ":9093" in v)] == []
    assert [e for e in container["env"] if "valueFrom" in e] == [], "no secret as a variable"
    assert "initContainers" not in pod
    # the one secret: the client secret, as a file from the web's own Secret
    secrets = {v["secret"]["secretName"]: v for v in pod["volumes"] if "secret" in v}
    assert set(secrets) == {"web-secrets"} and [v for v in pod["volumes"] if "configMap" in v] == []
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == secrets["web-secrets"]["name"]]
    (item,) = secrets["web-secrets"]["secret"]["items"]
    assert env["WEB_OIDC_CLIENT_SECRET_FILE"] == f"{mount['mountPath']}/{item['path']}" and mount["readOnly"]
    web_secret = of_kind(manifests, "Secret")["web-secrets"]
    assert "data" not in web_secret and "stringData" not in web_secret


def test_the_web_front_end_runs_the_one_image_read_only_and_non_root_with_probes(production):
    pod = web_pod(production)
    (container,) = pod["containers"]
    assert container["image"] == f"registry.tuoguan.example/tuoguan:{version()}" and container["args"] == [
        "services.web"
    ]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["path"] == "/health"
    assert pod["serviceAccountName"] == "web" and pod["automountServiceAccountToken"] is False
    assert of_kind(production, "HorizontalPodAutoscaler")["web"]["spec"]["scaleTargetRef"]["name"] == "web"


def test_the_web_front_end_reaches_the_four_services_dns_and_the_identity_provider_only(production):
    spec = of_kind(production, "NetworkPolicy")["web"]["spec"]
    peers = [(peer, rule["ports"]) for rule in spec["egress"] for peer in rule["to"]]
    selected = [
        p["podSelector"]["matchLabels"] for p, _ in peers if "podSelector" in p and "namespaceSelector" not in p
    ]
    assert sorted(s["app.kubernetes.io/name"] for s in selected) == sorted(SUBSCRIPTIONS)
    assert not [s for s in selected if "cnpg.io/cluster" in s or "strimzi.io/cluster" in s]
    assert [ports for p, ports in peers if "ipBlock" in p] == [[{"protocol": "TCP", "port": 443}]]

"""Kubernetes manifests of Tuoguan, generated from the code: one source of truth.

    deploy/k8s/render [production|local]      (python -m deploy.k8s)

prints every manifest of an overlay as one multi-document YAML. The *base* is the code in this
package, which reads the services (their ``ServiceDefinition`` and settings class), the topics and
subscriptions of shared/topics.py, the partner registry (``TUOGUAN_PARTNERS``) and the Kafka
principals and ACLs of deploy/kafka_access.py; an *overlay* (deploy/k8s/overlays.py) only sets
sizes, replica counts and addresses. Nothing is kept by hand twice: a new topic, subscription,
partner, secret or service shows up in the next render, and tests/unit/test_k8s_manifests.py fails
while deploy/k8s/rendered/ is stale.

No secret value is ever rendered: Secrets carry their key names (and non-secret settings such as
a user name) only; the values are supplied at install time (docs/operations.md).
"""

"""``python -m deploy.grafana``: write the dashboards."""

from deploy.grafana.dashboards import write_all

if __name__ == "__main__":
    for path in write_all():
        print(f"wrote {path}")

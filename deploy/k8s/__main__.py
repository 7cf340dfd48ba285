"""``python -m deploy.k8s [production|local] [--out FILE]``: print (or write) an overlay's manifests."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deploy.k8s.overlays import OVERLAYS
from deploy.k8s.render import render


def main() -> None:
    parser = argparse.ArgumentParser(description="Render Tuoguan's Kubernetes manifests from the code.")
    parser.add_argument("overlay", nargs="?", default="production", choices=sorted(OVERLAYS))
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    args = parser.parse_args()
    text = render(args.overlay)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()

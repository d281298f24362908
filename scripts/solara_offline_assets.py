"""Fill Solara's asset cache from the npm registry, for machines that cannot reach its CDN.

Solara's server fetches the app's JavaScript and CSS from cdn.jsdelivr.net on
first use and caches them. Where that CDN is out of reach (a closed network, a CI
machine that can reach only package registries) the app page stays blank. This
script downloads the same npm packages from the npm registry and unpacks them
into Solara's cache directory, so the server finds them there.

    python scripts/solara_offline_assets.py            # the packages Solara's page needs
    python scripts/solara_offline_assets.py --check    # list what is already cached
"""

from __future__ import annotations

import argparse
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
# name@version of every package the Solara page loads from its CDN (Solara 1.64 with ipyvuetify 1 or 3,
# ipywidgets 8).
PACKAGES = [
    "@widgetti/solara-vuetify-app@10.1.1",
    "@widgetti/solara-vuetify3-app@5.2.0",
    "font-awesome@4.5.0",
    "requirejs@2.3.6",
]


def cache_dir() -> Path:
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def tarball_url(spec: str) -> str:
    name, _, version = spec.rpartition("@")
    base = name.split("/")[-1]
    return f"{REGISTRY}/{name}/-/{base}-{version}.tgz"


def install(spec: str, target: Path) -> int:
    """Unpack package ``spec`` into ``target/spec/``; returns the number of files written."""
    with urllib.request.urlopen(tarball_url(spec), timeout=120) as response:
        data = response.read()
    written = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            relative = Path(*Path(member.name).parts[1:])  # drop the leading "package/"
            destination = target / spec / relative
            if not destination.resolve().is_relative_to(target.resolve()):
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.extractfile(member).read())
            written += 1
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report which packages are cached")
    parser.add_argument("packages", nargs="*", default=PACKAGES, help="name@version of npm packages")
    args = parser.parse_args()
    target = cache_dir()
    for spec in args.packages:
        present = (target / spec).is_dir()
        if args.check or present:
            print(f"{'cached ' if present else 'missing'} {spec}")
            continue
        try:
            count = install(spec, target)
        except OSError as error:
            print(f"error: cannot fetch {spec} from {REGISTRY}: {error}", file=sys.stderr)
            return 1
        print(f"cached  {spec} ({count} files) in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

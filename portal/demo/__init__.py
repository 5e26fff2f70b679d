"""Realistic bilingual demo data for trying the portal."""
from portal.demo import bench, cli


def init_app(app) -> None:
    app.cli.add_command(cli.demo)
    app.cli.add_command(bench.bench)

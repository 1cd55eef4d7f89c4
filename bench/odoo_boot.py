"""Start Odoo's registry for a benchmark script run from the repository's root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def add_odoo_arguments(parser):
    parser.add_argument(
        "--addons-path",
        default=f"/opt/odoo/odoo/addons,{ROOT}",
        help="Odoo addons path (default: %(default)s)",
    )
    parser.add_argument("--data-dir", default=str(ROOT / ".odoo-data"))


def init_odoo(args):
    """Odoo's configuration from the script's arguments, and the database's
    registry."""
    import odoo  # noqa: PLC0415 - only once the arguments are known

    odoo.tools.config.parse_config(
        [
            f"--addons-path={args.addons_path}",
            f"--data-dir={args.data_dir}",
            f"--database={args.db}",
            "--log-level=warn",
            "--no-http",
        ],
        setup_logging=True,
    )
    return odoo.modules.registry.Registry(args.db)

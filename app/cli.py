"""The `carbonlabel` command line: calculations and factor management without the web
service, and the service's own commands. Engine errors are printed with their field paths,
never a traceback.

This module is the one place the command group is put together: each app/cli_*.py defines
its commands without knowing the group, and none of them imports this module. So
`python -m app.cli` (which runs this file as `__main__`) and the installed `carbonlabel`
(which imports `app.cli:main`) build the same group, with every command on it. The command
modules import only click and light modules at the top; each command imports what it needs
when it runs, so `--help` and quick commands start fast.
"""

from __future__ import annotations

import click

from app import (
    cli_accounts,
    cli_approvals,
    cli_engine,
    cli_factors,
    cli_issuer,
    cli_pact,
    cli_pcrs,
    cli_publish,
    cli_queue,
    cli_service,
    cli_verify,
)


@click.group()
@click.version_option(package_name="carbonlabel")
def main() -> None:
    """Product carbon footprints and carbon labels for Greater Bay Area exporters."""
    from app.config import input_limits
    from lca_models.safe_load import set_limits

    set_limits(input_limits())  # files read by any command: the configured input limits


_COMMANDS: tuple[click.Command, ...] = (
    # the footprint engine, no server needed
    cli_engine.calc, cli_engine.cbam, cli_engine.recognition, cli_factors.factors,
    # the service and its database
    cli_service.init, cli_service.db, cli_service.demo, cli_service.audit, cli_service.keys,
    cli_service.serve, cli_accounts.orgs, cli_accounts.users, cli_accounts.tokens,
    cli_pact.pact, cli_issuer.issuer, cli_pcrs.pcrs, cli_publish.publish,
    cli_publish.sequencer, cli_approvals.approve,
    cli_verify.verify,
    # the task queue and what runs on it
    cli_queue.worker, cli_queue.impact,
)
for _command in _COMMANDS:
    main.add_command(_command)
# release diffs are factor commands, but their work runs on the service (cli_queue.py)
cli_factors.factors.add_command(cli_queue.factors_diff)
cli_factors.factors.add_command(cli_queue.factors_make_test_release)

if __name__ == "__main__":
    main()

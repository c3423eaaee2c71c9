"""The live-transport options of verify, collect and failover, derived from TransportOptions.

TransportOptions (bondcheck/transport/options.py) is the one definition of every option: its
field name gives the option (``to_namespace`` -> ``--to-namespace``) and the environment
variable (``BONDCHECK_TO_NAMESPACE``), its type and default are the option's, and its metadata
holds the help text. Typer reads a command's options from the command's signature, so
``takes_transport_options`` gives the command a signature with one keyword parameter per
field (annotated with the ``typer.Option`` built from that field) and calls it with the
values gathered into one TransportOptions.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from bondcheck.cli.common import duration_opt, opt
from bondcheck.transport.options import TransportOptions

R = TypeVar("R")
FIELDS = dataclasses.fields(TransportOptions)


def flag(name: str) -> str:
    """The command-line spelling of a TransportOptions field: ``no_sudo`` -> ``--no-sudo``."""
    return "--" + name.replace("_", "-")


def _parameter(item: dataclasses.Field[Any], hint: Any) -> inspect.Parameter:
    meta = item.metadata
    if meta.get("duration"):
        typer_option = duration_opt(flag(item.name), help=meta["help"], panel=meta["panel"])
    else:
        typer_option = opt(
            flag(item.name),
            help=meta["help"],
            panel=meta["panel"],
            min=meta.get("min"),
            max=meta.get("max"),
            metavar=meta.get("metavar"),
        )
    return inspect.Parameter(
        item.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=item.default,
        annotation=Annotated[hint, typer_option],
    )


def takes_transport_options(command: Callable[..., R]) -> Callable[..., R]:
    """A Typer command that takes ``options: TransportOptions`` gets every transport option."""
    hints = typing.get_type_hints(command, include_extras=True)
    field_hints = typing.get_type_hints(TransportOptions)
    own = [
        param.replace(annotation=hints.get(param.name, param.annotation))
        for param in inspect.signature(command).parameters.values()
        if param.name != "options"
    ]
    added = [_parameter(item, field_hints[item.name]) for item in FIELDS]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        values = {item.name: kwargs.pop(item.name) for item in FIELDS if item.name in kwargs}
        return command(*args, options=TransportOptions(**values), **kwargs)

    params = [*own, *added]
    wrapper.__signature__ = inspect.Signature(params, return_annotation=hints.get("return"))  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper

"""The input flags of a machine, declared once for every command that takes them.

`build` and `validate` take the same inputs (--meta-data, --ssh-key, --file, --uuid, ...):
one Annotated type per flag below, and `INPUT_OPTIONS`, which names the MachineInputs
field each one fills. A command decorated with `@takes_machine_inputs` gets every one of
them in its signature, where its `inputs` parameter stands, and receives them as one
`InputFlags`; `InputFlags.machine_inputs()` is the MachineInputs the API takes. Adding an
input is a field of MachineInputs, a flag here and a key of the machine file: a test fails
until all three are there.
"""

# No `from __future__ import annotations` here: Typer reads the annotations at run time.
# (Optional, not `X | None`: on Python 3.10 Typer cannot read a `|` union inside Annotated.)

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, Optional

import typer

from configdrive.errors import UsageError

if TYPE_CHECKING:
    # Imported when a command runs, not at start-up: it loads the validators (~0.2 s).
    from configdrive.machine import InputLike, MachineInputs

UserDataArgument = Annotated[
    Optional[str],  # noqa: UP045
    typer.Argument(
        metavar="USER_DATA",
        help="User data: #cloud-config, a #! script, Ignition JSON, MIME multipart, "
        "or gzip of these. '-' reads standard input.",
        show_default=False,
    ),
]
MetaDataOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(help="OpenStack meta_data keys, YAML or JSON.", metavar="FILE"),
]
NetworkDataOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        help="OpenStack network_data (or, for NoCloud, network-config v1/v2), YAML or JSON.",
        metavar="FILE",
    ),
]
VendorDataOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(help="vendor_data.json content, YAML or JSON.", metavar="FILE"),
]
VendorData2Option = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(help="vendor_data2.json content, YAML or JSON.", metavar="FILE"),
]
UuidOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        help="Instance UUID (cloud-init's instance-id). Default: derived from the name, "
        "else the host name, else the contents.",
        metavar="UUID",
    ),
]
HostnameOption = Annotated[
    Optional[str], typer.Option(help="Host name (RFC 1123).", metavar="NAME")  # noqa: UP045
]
NameOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(help="Instance name. Default: the host name.", metavar="NAME"),
]
SshKeyOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--ssh-key", help="An SSH public key, or a file of them. Repeatable.", metavar="KEY"
    ),
]
FileOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--file",
        help="Inject the local file SRC at DEST on the VM. Repeatable.",
        metavar="SRC:DEST",
    ),
]
TargetOption = Annotated[
    str,
    typer.Option(
        help="The reader the user data is for: auto (a cloud-config with a coreos: section is "
        "Container Linux's), container-linux (what coreos-cloudinit refuses, stops on or drops "
        "is an error), cloud-init (coreos-cloudinit's view is not reported).",
        metavar="READER",
    ),
]
MachineOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--machine",
        help="A machine file holding all of this machine's inputs (instead of the flags).",
        metavar="FILE",
        show_default=False,
    ),
]


class InputOption(NamedTuple):
    """A flag as a command's parameter: its name there, its Annotated type, its default."""

    parameter: str  # not the field's own name where a command has that name (validate's FILEs)
    annotation: Any
    default: Any = None


# The MachineInputs field each flag fills, in --help's order. USER_DATA is build's
# argument, not a flag: `takes_machine_inputs(user_data=True)` adds it.
INPUT_OPTIONS = {
    "meta_data": InputOption("meta_data", MetaDataOption),
    "network_data": InputOption("network_data", NetworkDataOption),
    "vendor_data": InputOption("vendor_data", VendorDataOption),
    "vendor_data2": InputOption("vendor_data2", VendorData2Option),
    "uuid": InputOption("uuid", UuidOption),
    "hostname": InputOption("hostname", HostnameOption),
    "name": InputOption("name", NameOption),
    "ssh_keys": InputOption("ssh_key", SshKeyOption),
    "files": InputOption("file", FileOption),
    "target": InputOption("target", TargetOption, "auto"),
}
USER_DATA_ARGUMENT = InputOption("user_data", UserDataArgument)


@dataclass(frozen=True)
class InputFlags:
    """A machine's inputs as the command line gave them, by MachineInputs field name."""

    given: Mapping[str, Any]

    def any_given(self) -> bool:
        """Whether any input is given (--target alone says how to read them, not what)."""
        # Typer gives None for a flag not used, a list for a repeatable one that is. An empty
        # value (--hostname '') does not count: build --machine has always ignored it.
        return any(value for key, value in self.given.items() if key != "target")

    def refuse_with_machine(self) -> None:
        """--machine brings every input: refuse flags that would silently compete with it."""
        if self.any_given():
            # validate has no USER_DATA: its FILEs are checked one by one, beside the machine.
            drop = "the input flags"
            if "user_data" in self.given:
                drop = "USER_DATA and " + drop
            raise UsageError(
                f"--machine takes the inputs from the machine file; drop {drop} "
                "(--meta-data, --ssh-key, --file, ...), or drop --machine"
            )

    def machine_inputs(self) -> "MachineInputs[InputLike]":
        """The MachineInputs these flags give; a UsageError for a --target no reader is."""
        from configdrive.api import machine_inputs

        repeated = {key: self.given[key] or () for key in ("ssh_keys", "files")}
        return machine_inputs(**{**self.given, **repeated})


def takes_machine_inputs(
    *, user_data: bool
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command every input flag (and USER_DATA, with `user_data`) in place of its
    `inputs` parameter, which receives them as one InputFlags.

    Typer builds a command from its signature, so the wrapper's signature is the command's
    with `inputs` replaced by the flags; the wrapper gathers them back into InputFlags.
    """
    declared = {"user_data": USER_DATA_ARGUMENT, **INPUT_OPTIONS} if user_data else INPUT_OPTIONS

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        own = list(inspect.signature(command).parameters.values())
        where = [parameter.name for parameter in own].index("inputs")
        flags = [
            inspect.Parameter(option.parameter, inspect.Parameter.KEYWORD_ONLY,
                              default=option.default, annotation=option.annotation)
            for option in declared.values()
        ]  # fmt: skip
        # Keyword-only, every one: Typer passes them by name, and a parameter with a default
        # may then come before one without (build's required --output).
        parameters = [
            parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            for parameter in [*own[:where], *flags, *own[where + 1 :]]
        ]

        @functools.wraps(command)
        def with_inputs(**arguments: Any) -> None:
            given = {key: arguments.pop(option.parameter) for key, option in declared.items()}
            command(**arguments, inputs=InputFlags(given))

        with_inputs.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        with_inputs.__annotations__ = {
            parameter.name: parameter.annotation for parameter in parameters
        }
        return with_inputs

    return decorate

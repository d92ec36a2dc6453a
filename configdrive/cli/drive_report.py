"""What validate, inspect, extract and diff print for people (TextReporter prints it)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from configdrive.drives.verdicts import DATED, Verdict
from configdrive.validation.user_data import sniff_user_data

if TYPE_CHECKING:
    from configdrive.drives.diff import DriveDiff
    from configdrive.drives.extract import ExtractResult
    from configdrive.drives.inspection import Contents, Inspection
    from configdrive.validation.files import ValidationResult

# Every version folder holds the same files: the same file in each is listed once.
_VERSION_FOLDER = re.compile(r"^(openstack|ec2)/([0-9]{4}-[0-9]{2}-[0-9]{2}|latest)/")
_TREE_NAMES = {
    "rock-ridge": "Rock Ridge",
    "joliet": "Joliet",
    "iso9660": "plain ISO9660",
    "vfat": "FAT long names",
}
_LAYOUTS = {
    "config-2": "an OpenStack config drive",
    "nocloud": "a NoCloud seed",
    "unknown": "neither a config drive nor a NoCloud seed",
}


def validated_lines(result: ValidationResult) -> list[str]:
    """One line a file: its name and what it is; then a count."""
    width = max((len(checked.file) for checked in result.files), default=0)
    lines = []
    for checked in result.files:
        what = checked.kind.label + (f" ({checked.detail})" if checked.detail else "")
        lines.append(f"{checked.file:<{width}}  {what}")
    count, warnings = len(result.files), len(result.warnings)
    summary = f"{count} file{'s' if count != 1 else ''} valid"
    if warnings:
        summary += f", {warnings} warning{'s' if warnings != 1 else ''} (above)"
    return [*lines, summary]


def inspection_lines(inspection: Inspection) -> list[str]:
    """The whole report: facts, contents, verdicts, problems, then the file tree."""
    what = _LAYOUTS[inspection.layout]
    packing = f", packed as {inspection.packing}" if inspection.packing else ""
    lines = [f"{inspection.path}: {what} ({inspection.size:,} bytes{packing})"]
    rows = [
        ("label", inspection.label if inspection.label is not None else "(none)"),
        ("file system", _file_system(inspection)),
        ("names", _names(inspection)),
    ]
    if inspection.layout != "nocloud" and inspection.openstack_folders:
        rows.append(("folders", _folders(inspection)))
    rows += _contents_rows(inspection.contents, nocloud=inspection.layout == "nocloud")
    lines += [f"  {key:<12} {value}" for key, value in rows]
    lines += ["", "readers"]
    width = max(len(verdict.name) for verdict in inspection.verdicts)
    for verdict in inspection.verdicts:
        head = f"  {verdict.name:<{width}}  {verdict.verdict.value:<9}"
        detail = [f"reads {verdict.reads}"] if verdict.verdict is Verdict.ACCEPTS else []
        detail += list(verdict.reasons)
        detail += [f"warning: {warning}" for warning in verdict.warnings]
        lines.append(f"{head}  {detail[0]}" if detail else head)
        lines += [f"  {'':<{width}}  {'':<9}  {line}" for line in detail[1:]]
    if inspection.problems:
        lines += ["", "problems"] + [f"  {problem}" for problem in inspection.problems]
    lines += ["", "files"]
    lines += _tree_lines(inspection)
    if "user-data" in inspection.show:
        lines += ["", *_user_data_lines(inspection)]
    return lines


def _file_system(inspection: Inspection) -> str:
    if inspection.iso is not None:
        iso = inspection.iso
        parts = [f"{iso.names} ISO9660 names"]
        parts.append(f"Rock Ridge {iso.rock_ridge}" if iso.rock_ridge else "no Rock Ridge")
        parts.append(f"Joliet level {iso.joliet}" if iso.joliet else "no Joliet")
        if iso.udf:
            parts.append("UDF")
        return f"iso9660 ({', '.join(parts)})"
    if inspection.fat is not None:
        return f"vfat (FAT{inspection.fat.fat_bits})"
    return inspection.format


def _names(inspection: Inspection) -> str:
    shown = _TREE_NAMES[inspection.names_from]
    text = f"{shown}, as Linux shows them"
    if inspection.names_from == "iso9660":
        text += " (lower-cased, ';1' cut)"
    if inspection.trees_agree is True:
        text += "; the Joliet tree agrees"
    elif inspection.trees_agree is False:
        text += "; the Joliet tree differs (see problems)"
    return text


def _folders(inspection: Inspection) -> str:
    names = list(inspection.openstack_folders)
    dated = [name for name in names if DATED.match(name)]
    others = [name for name in names if not DATED.match(name)]
    parts = []
    if len(dated) > 3:
        parts.append(f"{len(dated)} dated ({dated[0]} ... {dated[-1]})")
    else:
        parts += dated
    listing = ", ".join(parts + others)
    if inspection.folders_agree is False:
        return listing + "; dated folders differ from latest (see problems)"
    return listing + ("; dated folders match latest" if dated and "latest" in others else "")


def _tree_lines(inspection: Inspection) -> list[str]:
    """Files with sizes; a file of one size in every version folder is one line."""
    groups: dict[tuple[str, int], list[str]] = {}
    links = []
    for entry in inspection.entries:
        if entry.kind == "file":
            pattern = _VERSION_FOLDER.sub(r"\1/*/", entry.path)
            groups.setdefault((pattern, entry.size), []).append(entry.path)
        elif entry.kind == "symlink":
            links.append(f"  {'link':>9}  {entry.path} -> {entry.target}")
    lines = []
    for (pattern, size), paths in groups.items():
        shown = paths[0] if len(paths) == 1 else f"{pattern}  (in {len(paths)} folders)"
        lines.append(f"  {size:>9,}  {shown}")
    return lines + links


def _contents_rows(contents: Contents, *, nocloud: bool) -> list[tuple[str, str]]:
    rows = [("instance-id" if nocloud else "uuid", contents.uuid or "(none)")]
    rows.append(("hostname", contents.hostname or "(none)"))
    if not nocloud:
        rows.append(("name", contents.name or "(none)"))
    keys = [
        f"{key['name']} ({key['type']} {key['fingerprint']})"
        if key["type"]
        else f"{key['name']} (not a public key)"
        for key in contents.keys
    ]
    rows.append(("keys", f"{len(keys)}: {', '.join(keys)}" if keys else "0"))
    if not nocloud:
        files = [
            f"{item['path']} <- {item['content_path']} "
            + (f"({item['size']:,} bytes)" if item["size"] is not None else "(missing)")
            for item in contents.files
        ]
        rows.append(("files", f"{len(files)}: {', '.join(files)}" if files else "0"))
    user_data = contents.user_data
    rows.append(
        (
            "user data",
            f"{user_data.kind}, {user_data.size:,} bytes" if user_data else "(none)",
        )
    )
    rows.append(("network", contents.network or "(none)"))
    rows.append(("vendor data", ", ".join(contents.vendor_data) or "(none)"))
    return rows


def _user_data_lines(inspection: Inspection) -> list[str]:
    data = inspection.user_data
    path = inspection.contents.user_data.path if inspection.contents.user_data else "user data"
    if data is None:
        return ["user data: (none)"]
    header = f"--- {path} ({len(data):,} bytes)"
    sniffed = sniff_user_data(data)
    if sniffed.payload is None:
        return [header, "(broken gzip data, not shown)"]
    if sniffed.gzipped:
        data = sniffed.payload
        header += f", gunzipped to {len(data):,} bytes"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [header, "(not UTF-8 text; --json shows it as base64)"]
    return [header, text.rstrip("\n")]


def extracted_lines(result: ExtractResult) -> list[str]:
    """One line: how much was written where; then the links written as copies."""
    names = _TREE_NAMES[result.names_from]
    lines = [
        f"Extracted {result.drive} into {result.folder}: {result.files} files, "
        f"{result.folders} folders, {result.size:,} bytes ({names.removesuffix(' names')} names)"
    ]
    lines += [
        f"  {link}: a symbolic link, written as a copy of its target"
        for link in result.copied_links
    ]
    return lines


def diff_lines(diff: DriveDiff) -> list[str]:
    """What differs, one change a line; a change repeated in every version folder once."""
    if not diff.differs:
        return [f"{diff.old} and {diff.new} hold the same files"]
    lines = [f"--- {diff.old}", f"+++ {diff.new}"]
    lines += [f"  {change}" for change in diff.drive_changes]
    groups: dict[tuple[str, str, tuple[str, ...], int | None, int | None], list[str]] = {}
    for file_change in diff.files:
        groups.setdefault(file_change.group, []).append(file_change.path)
    for (pattern, change, keys, old, new), paths in groups.items():
        where = f"{pattern} (in {len(paths)} folders)" if len(paths) > 1 else paths[0]
        sizes = _sizes(change, old, new)
        lines.append(f"{change:<8} {where}{sizes}")
        lines += [f"{'':<11}{key}" for key in keys]
    return lines


def _sizes(change: str, old: int | None, new: int | None) -> str:
    if change == "added" and new is not None:
        return f" ({new:,} bytes)"
    if change == "removed" and old is not None:
        return f" ({old:,} bytes)"
    if change == "changed" and old is not None and new is not None:
        return f" ({old:,} -> {new:,} bytes)" if old != new else ""
    return ""

"""The Python API that provisioning hooks and test harnesses call."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import pytest

import configdrive
from configdrive import InvalidInputError, OutputError, build


def test_build_from_mappings_and_bytes(tmp_path: Path, key_line: str) -> None:
    result = build(
        {"hostname": "api-1", "packages": ["htop"]},
        tmp_path / "d.iso",
        meta_data={"meta": {"role": "test"}},
        ssh_keys=[key_line],
    )
    assert result.hostname == "api-1"
    assert result.keys == 1
    assert result.user_data == "cloud-config"
    assert result.uuid_derived
    assert result.path.stat().st_size == result.size


def test_derived_uuid_is_stable_and_follows_the_inputs(tmp_path: Path) -> None:
    first = build(b"#!/bin/sh\necho 1\n", tmp_path / "a.iso").uuid
    again = build(b"#!/bin/sh\necho 1\n", tmp_path / "b.iso").uuid
    other = build(b"#!/bin/sh\necho 2\n", tmp_path / "c.iso").uuid
    assert first == again != other
    assert (tmp_path / "a.iso").read_bytes() == (tmp_path / "b.iso").read_bytes()


def test_every_problem_comes_at_once(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as caught:
        build(
            b"#cloud-config\nusers: 5\nhostname: -x\n",
            tmp_path / "d.iso",
            uuid="nope",
            meta_data={"launch_index": "zero"},
        )
    messages = [str(problem) for problem in caught.value.problems]
    assert len(messages) == 4
    assert messages == sorted(messages, key=lambda m: m.split(":")[0])
    assert caught.value.exit_code == 1
    assert list(tmp_path.iterdir()) == []


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    build(b"#cloud-config\nfrobnicate: 1\n", tmp_path / "ok.iso")
    with pytest.raises(InvalidInputError):
        build(b"#cloud-config\nfrobnicate: 1\n", tmp_path / "strict.iso", strict=True)


def test_output_problems_are_io_failures(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as caught:
        build(b"#!/bin/sh\n", tmp_path / "missing" / "d.iso")
    assert caught.value.exit_code == 3


def test_timestamp_is_part_of_the_image(tmp_path: Path) -> None:
    a = build(b"#!/bin/sh\n", tmp_path / "a.iso", timestamp=0).path.read_bytes()
    b = build(b"#!/bin/sh\n", tmp_path / "b.iso", timestamp=1_000_000).path.read_bytes()
    assert a != b


def test_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert configdrive.source_date_epoch() == 1_700_000_000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(configdrive.UsageError):
        configdrive.source_date_epoch()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert configdrive.source_date_epoch() == configdrive.api.DEFAULT_EPOCH


def test_gzip_user_data_goes_on_byte_for_byte(tmp_path: Path) -> None:
    data = gzip.compress(b"#cloud-config\nhostname: g-1\n", mtime=0)
    result = build(data, tmp_path / "d.iso")
    assert result.user_data == "gzip+cloud-config"
    assert data in result.path.read_bytes()


def test_missing_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as caught:
        build(b"#!/bin/sh\n", tmp_path / "d.iso", ssh_keys=[str(tmp_path / "id.pub")])
    assert [str(p) for p in caught.value.problems] == [
        f"--ssh-key {tmp_path}/id.pub: no such key file"
    ]


def test_key_file_with_several_keys(tmp_path: Path, key_line: str) -> None:
    keys = tmp_path / "authorized_keys"
    rsa = (Path(__file__).parent.parent / "fixtures/keys/rsa.pub").read_text()
    keys.write_text(f"# team keys\n{key_line}\n\n{rsa}")
    result = build(b"#!/bin/sh\n", tmp_path / "d.iso", ssh_keys=[str(keys)])
    assert result.keys == 2


def test_fifos_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInputError) as caught:
        build(str(fifo), tmp_path / "d.iso", files=[(fifo, "/etc/x")])
    assert [problem.message for problem in caught.value.problems] == [
        f"SRC '{fifo}': is not a regular file",
        "cannot read user data: is not a regular file",
    ]


def test_inline_documents_are_named_apart(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as caught:
        build(None, tmp_path / "d.iso", vendor_data=b"{", vendor_data2=b"{")
    assert sorted(problem.file for problem in caught.value.problems) == [
        "<vendor data2>",
        "<vendor data>",
    ]


def test_a_folder_given_as_key_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as caught:
        build(None, tmp_path / "d.iso", ssh_keys=[str(tmp_path)])
    assert [problem.message for problem in caught.value.problems] == [
        "cannot read the key file: is a folder, not a file"
    ]


@pytest.mark.parametrize("value", [b"false", b"42", b"null", b"1.5"])
def test_vendor_data_cloud_init_cannot_load_is_refused(value: bytes, tmp_path: Path) -> None:
    # cloud-init's load_json takes only mapping, list or string roots; the drive fails otherwise.
    with pytest.raises(InvalidInputError) as raised:
        build(None, tmp_path / "d.iso", vendor_data2=value)
    assert "vendor data must be a mapping, a list or a string" in str(raised.value.problems[0])
    assert list(tmp_path.iterdir()) == []


def test_a_nul_in_a_path_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as raised:
        build("a\0b", tmp_path / "d.iso", files=[("c\0d", "/etc/x")])
    messages = [problem.message for problem in raised.value.problems]
    assert all("NUL character" in message for message in messages), messages
    with pytest.raises(OutputError, match="NUL character"):
        build(b"#cloud-config\n{}\n", tmp_path / "d\0.iso")
    assert list(tmp_path.iterdir()) == []


def test_a_mapping_json_cannot_hold_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    # Found by the property tests: bytes inside a meta_data dict raised TypeError.
    with pytest.raises(InvalidInputError) as raised:
        build(None, tmp_path / "d.iso", meta_data={"": b"secret-bytes"})
    (problem,) = raised.value.problems
    assert str(problem) == (
        "<meta data>: cannot be written as a document: Object of type bytes is not JSON "
        "serializable"
    )
    assert list(tmp_path.iterdir()) == []


def test_every_public_name_resolves_and_every_error_is_one_catch_away() -> None:
    for name in configdrive.__all__:
        assert getattr(configdrive, name) is not None
    errors = [getattr(configdrive, name) for name in configdrive.__all__ if name.endswith("Error")]
    assert {error.__name__ for error in errors} >= {
        "ImageError",
        "SourceError",
        "VerificationError",
        "GnuPGError",
    }
    for error in errors:
        assert error.__module__ == "configdrive.errors"
        assert issubclass(error, configdrive.ConfigDriveError)


@pytest.mark.parametrize("output_format", ["iso", "vfat", "dir"])
def test_durable_false_skips_every_fsync_and_writes_the_same_drive(
    tmp_path: Path, fsyncs: list[int], output_format: str
) -> None:
    synced = fsyncs
    user = Path(__file__).parent.parent / "fixtures" / "valid" / "cloud-init" / "user.yml"
    build(user, tmp_path / "durable", format=output_format)
    durable_syncs = len(synced)
    synced.clear()
    build(user, tmp_path / "scratch", format=output_format, durable=False)
    assert durable_syncs >= 2  # the drive (each file of a folder), then its folder
    assert synced == []
    if output_format == "dir":
        for path in (tmp_path / "durable").rglob("*"):
            twin = tmp_path / "scratch" / path.relative_to(tmp_path / "durable")
            assert path.is_dir() == twin.is_dir()
            if path.is_file():
                assert path.read_bytes() == twin.read_bytes()
    else:
        assert (tmp_path / "durable").read_bytes() == (tmp_path / "scratch").read_bytes()


def test_machines_sharing_meta_and_network_files_parse_them_once_and_each_hears_their_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import configdrive.validation.machine as validation_machine

    parsed: list[str] = []
    from configdrive.inputs.documents import parse_document as real_parse

    def counting_parse(source: Any, problems: Any, **kwargs: Any) -> Any:
        parsed.append(source.name)
        return real_parse(source, problems, **kwargs)

    monkeypatch.setattr(validation_machine, "parse_document", counting_parse)
    example = Path(__file__).parent.parent / "fixtures" / "valid" / "container-linux"
    # Files of their own (the cache lives as long as the process): one valid, one with a typo.
    meta = tmp_path / "meta.yml"
    meta.write_text((example / "machine.yml").read_text() + f"\n# run {os.getpid()}\n")
    typo = tmp_path / "typo.yml"
    typo.write_text(f"hostnmae: web-{os.getpid()}\n")
    built = [
        build(
            example / "user.yml",
            tmp_path / f"web-{index}.iso",
            meta_data=meta,
            network_data=example / "network.json",
            hostname=f"web-{index}",
            durable=False,
        )
        for index in range(5)
    ]
    assert parsed.count(str(meta)) == 1
    assert len({result.hostname for result in built}) == 5
    for index in range(3):
        with pytest.raises(InvalidInputError) as refused:
            build(example / "user.yml", tmp_path / f"bad-{index}.iso", meta_data=typo)
        assert "did you mean 'hostname'" in str(refused.value.problems)
    assert parsed.count(str(typo)) == 1
    assert not any(tmp_path.glob("bad-*"))

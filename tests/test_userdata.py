"""User data kinds as the readers sniff them, and what we check inside each."""

from __future__ import annotations

import gzip

import pytest

from configdrive.inputs.documents import Source
from configdrive.problems import Problem, Severity
from configdrive.validation.user_data import (
    UserDataKind,
    classify,
    inspect_user_data,
    sniff_user_data,
)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"#cloud-config\n{}", UserDataKind.CLOUD_CONFIG),
        (b"#cloud-config-archive\n- x", UserDataKind.CLOUD_CONFIG_ARCHIVE),
        (b"#!/bin/bash\necho", UserDataKind.SCRIPT),
        (b'{"ignition": {"version": "3.4.0"}}', UserDataKind.IGNITION),
        (b"Content-Type: multipart/mixed\nMIME-Version: 1.0\n", UserDataKind.MIME_MULTIPART),
        (b"#include\nhttp://example.com/x", UserDataKind.INCLUDE),
        (b"## template: jinja\n#cloud-config", UserDataKind.JINJA_TEMPLATE),
        (b"hostname: x", None),
    ],
)
def test_classify(data: bytes, kind: UserDataKind | None) -> None:
    assert classify(data) is kind


def inspect(data: bytes) -> tuple[object, list[Problem]]:
    problems: list[Problem] = []
    return inspect_user_data(Source("u", data), problems), problems


def test_gzip_is_looked_into() -> None:
    info, problems = inspect(gzip.compress(b"#cloud-config\nusers: 5\n"))
    assert info is not None
    assert [p.message for p in problems] == ["5 is not of type 'string' or 'array' or 'object'"]
    assert problems[0].file == "u (gunzipped)"


def test_gzipped_cloud_config_is_described() -> None:
    info, problems = inspect(gzip.compress(b"#cloud-config\nhostname: z-1\n"))
    assert problems == []
    assert getattr(info, "description", None) == "gzip+cloud-config"
    assert getattr(info, "hostname", None) == "z-1"


def test_big_user_data_is_a_warning_not_an_error() -> None:
    info, problems = inspect(b"#!/bin/sh\n" + b"#" * 70_000)
    assert info is not None
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert "65535" in problems[0].message


def test_cloud_init_only_kinds_warn() -> None:
    _, problems = inspect(b"#cloud-boothook\necho hi\n")
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert "cloud-init only" in problems[0].message


def test_coreos_first_line_rule_warns() -> None:
    _, problems = inspect(b"#cloud-config # comment\nhostname: a\n")
    assert [p.severity for p in problems] == [Severity.WARNING]


def test_ignition_needs_a_version() -> None:
    _, problems = inspect(b'{"passwd": {}}')
    assert "not an Ignition config" in problems[0].message
    _, problems = inspect(b'{"ignition": {"version": "3.4.0"}')
    assert "not valid JSON" in problems[0].message


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (b"#cloud-config\n{}\n", "cloud-config"),
        (gzip.compress(b"#!/bin/sh\ntrue\n", mtime=0), "gzip+script"),
        (b"  \n", "empty"),
        (gzip.compress(b"hello", mtime=0), "gzip+unrecognised"),
        (b"\x1f\x8b not gzip after all", "broken gzip"),
        (b"hello", "unrecognised"),
    ],
)
def test_one_sniff_tells_every_reader_side_the_kind(data: bytes, label: str) -> None:
    sniffed = sniff_user_data(data)
    assert sniffed.label == label
    assert sniffed.gzipped == data.startswith(b"\x1f\x8b")
    if label != "broken gzip":
        assert sniffed.payload == (gzip.decompress(data) if sniffed.gzipped else data)

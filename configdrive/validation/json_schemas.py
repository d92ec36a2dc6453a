"""The JSON Schemas in `schemas/` (beside this module), and turning their verdicts into Problems.

The schema files are package data; each stands on its own for editors and other
validators. A document is first checked by the schema's compiled validator (compiled/,
written by scripts/compile_schemas.py); only a document with findings imports jsonschema,
which explains each one. Most documents are clean, and importing jsonschema (with
referencing, rpds and attrs) would cost every run tens of milliseconds.

This module adds what a person needs on top of jsonschema's verdict:
a position in the file, a message that never echoes a secret, and unknown keys
reported as warnings (a reader ignores them), or as errors with "did you mean" when they are
close to a known key (a typo, whose value would reach no reader).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from configdrive.inputs.documents import Document
from configdrive.problems import DocPath, Problem, Severity, closest_key

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_SCHEMAS = Path(__file__).resolve().parent / "schemas"

CLOUD_CONFIG = "cloud-config"
META_DATA = "meta-data"
NETWORK_DATA = "network-data"
NETWORK_CONFIG = "network-config"
MACHINE = "machine"

# Values under these keys are secrets whatever their names say: file contents, seeds, the
# host keys cloud-init writes (`ssh_keys`: private and public), Chef's and Landscape's
# credentials. Every other secret-bearing key is told by the words in its name (below).
SECRET_KEYS = frozenset(
    {
        "content",
        "chpasswd",
        "random_seed",
        "ssh_keys",
        "registration_key",
        "validation_key",
        "validation_cert",
        "private-cert",
    }
)
# A key whose name holds one of these words, or a word containing one of the fragments,
# holds a secret: `password`, `db_password`, `passwordHash`, `chpasswd`, `admin_pass`,
# `registration_token`, `aws_secret_access_key`, `client_secret`, `credentials`.
_SECRET_WORDS = frozenset({"pass", "pwd", "psk"})
_SECRET_FRAGMENTS = ("passw", "token", "secret", "credential", "passphrase")
# Key material: `key` or `keys` last, after a word that says whose or what for (`api_key`,
# `private_key`, `secret_key`, `access_key`, `ssh_keys`), or one word that says both.
# Public keys are meant to be seen: `public_keys`, `ssh_authorized_keys`, a bare `keys`
# (a config drive's list of public keys) or `key` (an APT source's public key).
_KEY_WORDS = frozenset({"key", "keys"})
_KEY_COMPOUNDS = frozenset(
    {"apikey", "privkey", "privatekey", "secretkey", "accesskey", "signingkey", "masterkey"}
)
_PUBLIC_WORDS = frozenset({"public", "pub", "authorized", "authorised", "fingerprint"})
# A word is a run of letters and digits; a capital after a small letter starts a new one
# (passwordHash, sshAuthorizedKeys).
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# A PEM block with a private key, anywhere in a value: write_files content, a meta value.
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----")


# Every key of every document is asked about, most of them many times (each problem's path,
# each value shown); a document has few distinct keys.
@functools.lru_cache(maxsize=4096)
def secret_name(key: str) -> bool:
    """Whether a key's name says its value is a secret: a password, token or private key."""
    if key in SECRET_KEYS:
        return True
    words = [word.lower() for word in _WORDS.findall(key)]
    if any(word in _SECRET_WORDS for word in words):
        return True
    if any(fragment in word for word in words for fragment in _SECRET_FRAGMENTS):
        return True
    if any(word in _KEY_COMPOUNDS for word in words):
        return True
    if any(word in _PUBLIC_WORDS for word in words):
        return False
    # The last word names what the value is: `host_key` is a key, `key_type` is not.
    return len(words) > 1 and words[-1] in _KEY_WORDS


def secret_value(value: Any) -> bool:
    """Whether a value is a secret by what it is, wherever it sits: a private key."""
    return isinstance(value, str) and _PRIVATE_KEY.search(value) is not None


def schema_path(name: str) -> Path:
    """Where the schema file `name` lives: schemas/ beside this module, in any install."""
    return _SCHEMAS / f"{name}.schema.json"


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema called `name` (cloud-config, meta-data, network-data)."""
    with schema_path(name).open(encoding="utf-8") as stream:
        schema: dict[str, Any] = json.load(stream)
    return schema


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """`pattern` as JSON Schema defines it (ECMA-262): `$` is the end of the string.

    Python's `$` also matches before a final newline, which would let "0644\n" or
    "fa:16:3e:00:00:01\n" through; every `$` in our schemas is an anchor.
    scripts/compile_schemas.py rewrites patterns the same way.
    """
    from jsonschema.exceptions import ValidationError

    anchored = re.sub(r"(?<!\\)\$", r"\\Z", pattern)
    if validator.is_type(instance, "string") and not re.search(anchored, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _warning(
    validator: Any, message: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """`x-warning`: a value the readers take but a reader's own schema flags (deprecated forms).

    It is reported as a warning with this message (its `validator` is "x-warning"). Like
    any finding it would fail an `anyOf`/`oneOf` branch or an `if`, so the schemas use it
    only outside those.
    """
    from jsonschema.exceptions import ValidationError

    yield ValidationError(message)


_WARNING = "x-warning"


@functools.cache
def _validator_class() -> Any:
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend

    return extend(Draft202012Validator, {"pattern": _pattern, _WARNING: _warning})  # type: ignore[no-untyped-call]


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    """jsonschema's validator for schema `name`: imported only to explain findings."""
    schema = load_schema(name)
    validator: Draft202012Validator = _validator_class()(_inline_refs(schema, schema))
    return validator


@functools.cache
def _compiled(name: str) -> ModuleType:
    """The compiled validator of schema `name`: compiled/cloud_config.py for cloud-config."""
    module = re.sub(r"[^a-z0-9]", "_", name)
    return importlib.import_module(f"configdrive.validation.compiled.{module}")


def _clean(name: str, data: Any) -> bool:
    """Whether jsonschema (with our extensions) would find nothing in `data`."""
    try:
        clean: bool = _compiled(name).clean(data)
    except Exception:
        # A value jsonschema's own keywords choke on too (re.search on a YAML int key):
        # jsonschema then decides, and fails, as it always did.
        return False
    return clean


# Keywords that only annotate: dropping them beside an inlined $ref changes no verdict.
_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples", "default"})


def _inline_refs(node: Any, root: dict[str, Any]) -> Any:
    """The schema with every local `$ref` replaced by the subschema it points at.

    The files keep `$defs` for people; resolving each `$ref` through jsonschema's
    registry on every validation took a third of the validation time. Our schemas
    have no recursive references, so inlining terminates.
    """
    if isinstance(node, list):
        return [_inline_refs(item, root) for item in node]
    if not isinstance(node, dict):
        return node
    inlined = {key: _inline_refs(value, root) for key, value in node.items() if key != "$ref"}
    reference = node.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/"):
        return {**inlined, "$ref": reference} if reference is not None else inlined
    target = _inline_refs(_resolve_pointer(root, reference), root)
    siblings = {key: value for key, value in inlined.items() if key not in _ANNOTATIONS}
    if not siblings:
        return target
    return {**siblings, "allOf": [*siblings.get("allOf", []), target]}


def _resolve_pointer(root: dict[str, Any], reference: str) -> Any:
    node: Any = root
    for part in reference[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schema_problems(
    document: Document, name: str, *, unknown_key_note: str = "no reader uses it"
) -> list[Problem]:
    """Validate a document against schema `name`; every failure becomes a located Problem."""
    problems: list[Problem] = []
    if not _clean(name, document.data):
        properties = load_schema(name).get("properties", {})
        for error in _validator(name).iter_errors(document.data):
            note = _reader_note(properties, error)
            for found in _problems_from(error, document, unknown_key_note):
                if note and found.severity is Severity.ERROR:
                    found = dataclasses.replace(found, message=found.message + note)  # noqa: PLW2901
                problems.append(found)
    # TYPOS is the inlined schema cut down to what _typos reads (compile_schemas.typo_schema).
    for path, key, suggestion in _typos(_compiled(name).TYPOS, document.data, ()):
        problems.append(
            document.problem((*path, key), f"unknown key; did you mean {suggestion!r}?", key=True)
        )
    return problems


def _typos(schema: Any, data: Any, path: DocPath) -> Iterator[tuple[DocPath, str, str]]:
    """Keys close to a known one where the schema lets unknown keys through.

    Meta data and network data may carry keys of their own (Nova adds some, clouds add
    others), so their schemas allow unknown keys; `hostnmae` is still a typo that loses
    the host name. Where unknown keys are refused, jsonschema reports them already.
    """
    if not isinstance(schema, dict):
        return
    for part in schema.get("allOf", []):
        yield from _typos(part, data, path)
    if isinstance(data, dict):
        known = schema.get("properties", {})
        if known and schema.get("additionalProperties", True) is not False:
            for key in data:
                if key not in known and (suggestion := closest_key(key, known)):
                    yield path, key, suggestion
        for key, subschema in known.items():
            if key in data:
                yield from _typos(subschema, data[key], (*path, key))
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(data):
            yield from _typos(schema["items"], item, (*path, index))


def _reader_note(properties: dict[str, Any], error: ValidationError) -> str:
    """The note " (read by cloud-init)" for an error under a top-level key marked `x-reader`.

    A key only one reader reads is checked by that reader's rules; the message says
    whose, so a Container Linux user knows the key does nothing for them anyway.
    """
    top = error.absolute_path[0] if error.absolute_path else None
    declared = properties.get(top) if isinstance(top, str) else None
    reader = declared.get("x-reader") if isinstance(declared, dict) else None
    return f" (read by {reader})" if isinstance(reader, str) else ""


def _problems_from(error: ValidationError, document: Document, note: str) -> Iterator[Problem]:
    path: DocPath = tuple(error.absolute_path)
    if error.validator == _WARNING:
        yield document.problem(path, error.message, severity=Severity.WARNING)
        return
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        for key in _unexpected_keys(error):
            # A key close to a known one is a typo: the value it holds would reach no reader.
            if suggestion := closest_key(key, known):
                yield document.problem(
                    (*path, key), f"unknown key; did you mean {suggestion!r}?", key=True
                )
            else:
                yield document.problem(
                    (*path, key), f"unknown key ({note})", key=True, severity=Severity.WARNING
                )
        return
    if error.validator in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        best = best_match(error.context)
        yield from _problems_from(best, document, note)
        return
    yield document.problem(path, _message(error, path))


def _unexpected_keys(error: ValidationError) -> list[str]:
    instance: Any = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    return [
        key
        for key in instance
        if key not in known and not any(re.search(p, str(key)) for p in patterns)
    ]


def is_secret(path: DocPath, keys: frozenset[str] = frozenset()) -> bool:
    """Whether the value at `path` may hold a password, key or file content.

    It does when any key along the path says so by its name (`secret_name`) or is one of
    `keys` (a format's own: Ignition's `contents`, `source`).
    """
    return any(
        isinstance(element, str) and (element in keys or secret_name(element)) for element in path
    )


def describe(value: Any, path: DocPath) -> str:
    """A short description of a value for a message: the value itself only when safe."""
    if is_secret(path) or secret_value(value):
        return "the value"
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        if len(value) <= 60 and value.isprintable():
            return repr(value)
        return f"a string of {len(value)} characters"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "a mapping"
    return f"a YAML {type(value).__name__}"


def _type_names(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " or ".join(repr(name) for name in names)


def _message(error: ValidationError, path: DocPath) -> str:
    value = describe(error.instance, path)
    keyword = error.validator
    argument: Any = error.validator_value
    if keyword == "type":
        return f"{value} is not of type {_type_names(argument)}"
    if keyword == "enum":
        choices = ", ".join(json.dumps(choice) for choice in argument)
        return f"{value} is not one of {choices}"
    if keyword == "const":
        return f"{value} is not {json.dumps(argument)}"
    if keyword == "pattern":
        return f"{value} does not match {argument!r}"
    if keyword == "minimum":
        return f"{value} is less than the minimum of {argument}"
    if keyword == "maximum":
        return f"{value} is greater than the maximum of {argument}"
    if keyword == "minLength":
        return f"{value} is shorter than {argument} character{'s' if argument != 1 else ''}"
    if keyword == "maxLength":
        return f"{value} is longer than {argument} characters"
    if keyword == "minItems":
        return f"{value} has fewer than {argument} item{'s' if argument != 1 else ''}"
    if keyword == "uniqueItems":
        return f"{value} has repeated items"
    if keyword in ("required", "dependentRequired", "minProperties", "not"):
        return error.message
    if is_secret(path):
        return f"the value fails the schema's {keyword!r} rule"
    return error.message

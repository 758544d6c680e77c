"""Mapping files (YAML or JSON): which column feeds which field, value aliases, defaults.

```yaml
kind: deals
date_format: "%Y-%m-%d"
columns:
  external_id: opportunity_id
  product: {column: product, values: {GTXPro: GTX Pro}}
defaults: {currency: USD}
create_missing: {owner: {role: rep}}
```

Without a mapping, a file's headers are matched to fields by name and by the aliases of common
CRM exports (`kinds.KIND.aliases`).
"""

import dataclasses
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from imports.kinds import KINDS, Kind

SHIPPED = Path(__file__).resolve().parent / "mappings"
SPEC_KEYS = {"column", "values", "format", "months_before_as_of", "scale", "date_format"}
SPEC_KEYS |= {"optional"}


class MappingError(ValueError):
    """The mapping file itself is wrong (unknown kind or field, bad option)."""


@dataclass(frozen=True)
class FieldSpec:
    field: str
    column: str | None = None
    # `dataclasses.field`, as `field` names the member above in this class
    values: dict[str, str] = dataclasses.field(default_factory=dict)  # value aliases, applied first
    format: str | None = None  # a template such as "{}'s team"
    months_before_as_of: bool = False  # the cell is a month count before `as_of`
    scale: Decimal | None = None  # e.g. 1000000 when the file counts in millions
    date_format: str | None = None  # this column's, when it differs from the mapping's
    optional: bool = False  # a file may leave the column out (the field is then blank)


@dataclass(frozen=True)
class Mapping:
    kind: Kind
    name: str = ""
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    date_format: str = "%Y-%m-%d"
    as_of: date | None = None
    create_missing: dict[str, dict] = field(default_factory=dict)
    stages: list[dict] = field(default_factory=list)  # stages to create when missing
    options: dict = field(default_factory=dict)  # kind-specific switches
    decimal: str = "."  # the decimal mark of numbers: "." or ","
    symbols: dict[str, str] = field(default_factory=dict)  # currency symbol -> ISO code
    key_from: tuple[str, ...] = ()  # columns a row's key is made of when it has no ID
    label: str = ""  # a preset's name on the import page

    def for_header(self, header: list[str]) -> "Mapping":
        """This mapping without the optional columns `header` lacks."""
        kept = {
            name: spec
            for name, spec in self.fields.items()
            if not (spec.optional and spec.column not in header)
        }
        return dataclasses.replace(self, fields=kept)

    def column_of(self, name: str) -> str:
        if name == "external_id" and name not in self.fields and self.key_from:
            return " + ".join(self.key_from)
        spec = self.fields.get(name)
        return spec.column if spec and spec.column else name


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def mapping_load(path: str | Path) -> Mapping:
    """A mapping from a .yaml, .yml or .json file; a bare name means a shipped mapping."""
    path = Path(path)
    if not path.exists() and (SHIPPED / path).exists():
        path = SHIPPED / path
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise MappingError(f"Cannot read the mapping {path}: {error}") from None
    if not isinstance(data, dict):
        raise MappingError(f"The mapping {path} is not a table of settings.")
    return mapping_from_dict(data, name=path.name)


def presets() -> dict[str, str]:
    """The shipped mappings of CRM exports, as {name: label} (`salesforce_opportunities`)."""
    found = {}
    for path in sorted(SHIPPED.glob("*.yaml")):
        label = yaml.safe_load(path.read_text(encoding="utf-8")).get("label")
        if label:
            found[path.stem] = str(label)
    return found


def mapping_from_dict(data: dict, *, name: str = "") -> Mapping:
    kind = _kind(data.get("kind"))
    known = {"kind", "columns", "defaults", "date_format", "as_of", "create_missing", "stages"}
    known |= {"decimal", "symbols", "key_from", "label"}
    options = {key: value for key, value in data.items() if key not in known}
    unknown = set(options) - set(kind.options)
    if unknown:
        raise MappingError(f"Unknown mapping settings: {', '.join(sorted(unknown))}.")
    fields = {target: _spec(kind, target, spec) for target, spec in data.get("columns", {}).items()}
    defaults = {str(k): "" if v is None else str(v) for k, v in data.get("defaults", {}).items()}
    create = {k: dict(v or {}) for k, v in (data.get("create_missing") or {}).items()}
    for target in [*defaults, *create]:
        _check_field(kind, target)
    for target in create:
        if target not in kind.creatable:
            raise MappingError(f"{kind.name}: {target} cannot be created from a name.")
    as_of = data.get("as_of")
    key_from = tuple(str(column) for column in data.get("key_from") or ())
    if key_from and kind.key != ("external_id",):
        raise MappingError(f"{kind.name} are found by {', '.join(kind.key)}: key_from is for IDs.")
    decimal = str(data.get("decimal", "."))
    if decimal not in (".", ","):
        raise MappingError(f'decimal: "." or ","; not {decimal!r}.')
    return Mapping(
        kind=kind,
        name=name,
        fields=fields,
        defaults=defaults,
        date_format=data.get("date_format", "%Y-%m-%d"),
        as_of=date.fromisoformat(str(as_of)) if as_of else None,
        create_missing=create,
        stages=list(data.get("stages") or []),
        options=options,
        decimal=decimal,
        symbols={str(k): str(v) for k, v in (data.get("symbols") or {}).items()},
        key_from=key_from,
        label=str(data.get("label", "")),
    )


def mapping_from_header(kind_name: str, header: list[str]) -> Mapping:
    """A mapping guessed from the header: field names, labels and common CRM export names."""
    kind = _kind(kind_name)
    names = {normalise(name): name for name in header}
    fields = {}
    for target in kind.all_fields:
        candidates = [target, *[a for a, f in kind.aliases.items() if f == target]]
        for candidate in candidates:
            if normalise(candidate) in names:
                fields[target] = FieldSpec(target, names[normalise(candidate)])
                break
    return Mapping(kind=kind, name="", fields=fields)


def _kind(name) -> Kind:
    if name not in KINDS:
        raise MappingError(f"Unknown kind {name!r}; use one of: {', '.join(KINDS)}.")
    return KINDS[name]


def _check_field(kind: Kind, target: str) -> None:
    if target not in kind.all_fields:
        raise MappingError(
            f"{kind.name} have no field {target!r}; use: {', '.join(kind.all_fields)}."
        )


def _spec(kind: Kind, target: str, spec) -> FieldSpec:
    _check_field(kind, target)
    if isinstance(spec, str):
        return FieldSpec(target, spec)
    if not isinstance(spec, dict) or set(spec) - SPEC_KEYS:
        raise MappingError(f"{target}: a column name or a table of {', '.join(SPEC_KEYS)}.")
    values = {str(k): "" if v is None else str(v) for k, v in (spec.get("values") or {}).items()}
    scale = spec.get("scale")
    return FieldSpec(
        target,
        spec.get("column"),
        values,
        spec.get("format"),
        bool(spec.get("months_before_as_of")),
        Decimal(str(scale)) if scale is not None else None,
        spec.get("date_format"),
        bool(spec.get("optional")),
    )

"""values.schema.json accepts the shipped value sets and refuses bad ones before anything renders."""

from __future__ import annotations

import json
from typing import Any

import helm_python
import jsonschema
import pytest

from .chart import CHART, VALUE_SETS, render, values_of

BAD: dict[str, tuple[dict[str, Any], str]] = {
    "replicas as a word": ({"api": {"replicas": "two"}}, "/api/replicas"),
    "unknown top-level key": ({"replica": 2}, "replica"),
    "typo inside a section": ({"api": {"replcas": 2}}, "replcas"),
    "root container": (
        {
            "containerSecurityContext": {
                "runAsNonRoot": False,
                "readOnlyRootFilesystem": True,
                "allowPrivilegeEscalation": False,
            }
        },
        "/containerSecurityContext/runAsNonRoot",
    ),
    "writable root filesystem": (
        {
            "containerSecurityContext": {
                "runAsNonRoot": True,
                "readOnlyRootFilesystem": False,
                "allowPrivilegeEscalation": False,
            }
        },
        "readOnlyRootFilesystem",
    ),
    "external database without host or secret": (
        {"postgresql": {"mode": "external"}},
        "/postgresql/external",
    ),
    "external S3 without endpoint": ({"objectStorage": {"mode": "external"}}, "/objectStorage/external"),
    "mode misspelt": ({"valkey": {"mode": "bundle"}}, "/valkey/mode"),
    "S3 endpoint with scheme": (
        {
            "objectStorage": {
                "mode": "external",
                "external": {"endpoint": "https://s3.example", "existingSecret": "s3"},
            }
        },
        "endpoint",
    ),
    "plugin name with capitals": ({"plugins": {"enabled": ["Documents"]}}, "/plugins/enabled/0"),
    "three schedulers": ({"scheduler": {"replicas": 4}}, "/scheduler/replicas"),
    "worker without resources": ({"workers": [{"name": "x", "replicas": 1}]}, "/workers/0"),
    "tenant code with spaces (would reach a shell line)": (
        {"plugins": {"tenants": {"xx county; rm -rf /": ["documents"]}}},
        "invalid propertyName 'xx county; rm -rf /'",
    ),
    "plugin name with a shell character": (
        {"plugins": {"tenants": {"xx-county": ["documents;id"]}}},
        "/plugins/tenants/xx-county/0",
    ),
    "reminder hour 24": ({"fuban": {"reminderHour": 24}}, "/fuban/reminderHour"),
    "lock after 0 failures": ({"fuban": {"login": {"maxFailures": 0}}}, "/fuban/login/maxFailures"),
    "sessions that never idle out": (
        {"fuban": {"session": {"idleMinutes": 0}}},
        "/fuban/session/idleMinutes",
    ),
    "memory without unit format": (
        {"api": {"resources": {"requests": {"cpu": "1", "memory": "lots"}, "limits": {"memory": "1Gi"}}}},
        "/api/resources/requests/memory",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_schema_rejects_bad_values(case: str) -> None:
    values, where = BAD[case]
    with helm_python.Chart.load(CHART) as chart, pytest.raises(helm_python.HelmValuesError) as err:
        chart.validate_schema(values)
    assert where in str(err.value)


def test_render_refuses_what_the_schema_refuses() -> None:
    with pytest.raises(helm_python.HelmValuesError, match="want integer"):
        render({"api": {"replicas": "two"}})


@pytest.mark.parametrize("set_name", list(VALUE_SETS))
def test_schema_accepts_the_shipped_value_sets(set_name: str) -> None:
    with helm_python.Chart.load(CHART) as chart:
        chart.validate_schema(values_of(set_name))
        merged = chart.merge_values(values_of(set_name))
    assert merged["fuban"]["env"] == "production"


def test_external_database_by_url_secret_is_enough() -> None:
    with helm_python.Chart.load(CHART) as chart:
        chart.validate_schema(
            {"postgresql": {"mode": "external", "external": {"existingSecret": "pg", "urlKey": "url"}}}
        )


def test_schema_is_plain_draft_07_for_older_helm_releases() -> None:
    """Helm 3 before 3.18 validates with a draft-07 library: the schema must be valid draft-07, and a
    second, independent implementation must agree with Helm on the shipped and the bad sets."""
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    with helm_python.Chart.load(CHART) as chart:
        for set_name in VALUE_SETS:
            assert list(validator.iter_errors(chart.merge_values(values_of(set_name)))) == []
        for case, (values, _where) in BAD.items():
            assert list(validator.iter_errors(chart.merge_values(values))), case

"""A bounded schemathesis run, every check, against the served OpenAPI schema: any response the schema does
not describe (an undeclared status, a body of another shape, a schema-valid request refused without one
of the reasons in ``schemathesis.toml``, a 500) fails the suite.

The full run (the default number of examples) is for before a release:
``schemathesis --config-file schemathesis.toml run <site>/api/schema/ --checks all -H "Authorization: Token …"``.
"""

import os
import subprocess
import sys
from pathlib import Path

from rest_framework.authtoken.models import Token

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("schemathesis")
# Enough examples that every operation meets each kind of value once, few enough for the suite's budget.
EXAMPLES = os.environ.get("KECHUANG_SCHEMATHESIS_EXAMPLES", "3")


def test_the_api_answers_as_its_schema_says(live_server, users, tmp_path):
    token = Token.objects.create(user=users["ph_admin"]).key
    command = [str(CLI), "--no-color",
               "--config-file", str(ROOT / "schemathesis.toml"), "run", f"{live_server.url}/api/schema/",
               "--checks", "all", "--max-examples", EXAMPLES, "--seed", "1", "--phases", "fuzzing,stateful",
               "--suppress-health-check", "all", "-H", f"Authorization: Token {token}",
               "--report-dir", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path,
                            env={**os.environ, "NO_COLOR": "1"})
    summary = result.stdout[-6000:]
    assert "Operations:" in result.stdout and "API Operations" in result.stdout, summary
    assert result.returncode == 0, summary

"""Numbers typed into task progress: absurd ones are a Chinese refusal, not a 500 from the database."""

import pytest

from core.errors import BusinessError
from tasks.services import workflow


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "sNaN", "1e309", "1E+999999", "1e100"])
def test_absurd_numbers_are_refused(text):
    with pytest.raises(BusinessError) as caught:
        workflow.to_decimal(text, "percent")
    assert caught.value.problems[0].field == "percent"

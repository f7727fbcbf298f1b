"""Settings shared by every test."""

import os

from hypothesis import HealthCheck, settings

# CI runs more examples; a developer's quick run fewer. Neither has a deadline:
# timing is the benchmarks' job, not the tests'.
settings.register_profile(
    "ci", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

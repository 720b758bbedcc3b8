"""flowops: GitOps change management for Amazon Connect contact flows."""

#: The one place the version is written (pyproject.toml reads it; the release workflow
#: tags ``v`` + this; the composite action and ``flowops init`` pin it).
__version__ = "0.1.0"
#: The distribution's name on PyPI: ``flowops`` there is an unrelated optical-flow package.
#: The import package and the console command are both ``flowops``.
DISTRIBUTION = "flowops-connect"
#: Where flowops is published on GitHub: the composite actions and pre-commit hooks that
#: ``flowops init`` wires into a team's repository are used from here, by release tag.
SOURCE_REPOSITORY = "flowops-connect/flowops"

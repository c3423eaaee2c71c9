from standins.fixtures import apiserver  # noqa: F401 - pytest fixture

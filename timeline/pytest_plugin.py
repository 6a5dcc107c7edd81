"""pytest fixtures for plugin authors, registered through pytest's ``pytest11`` entry
point: installing diplomatic-timeline makes them available to every test.

- ``timeline_plugins``: a fresh :class:`~timeline.Plugins` with every installed
  plugin loaded as ``timeline`` loads it (your plugin too, once installed with
  ``pip install -e .``), strict: a failing plugin fails the test with a
  :class:`~timeline.errors.PluginError` naming it. To test a plugin that is not
  installed, override it in your ``conftest.py``::

      @pytest.fixture
      def timeline_plugins():
          return timeline.testing.make_test_plugins(my_plugin_module)

- ``bundled_chronology``: the bundled Pakistan–Russia chronology
  (:func:`timeline.testing.bundled_chronology`), built once per session.

See :mod:`timeline.testing` for the functions behind them.
"""

from __future__ import annotations

import pytest

from . import testing as _testing
from .chronology import Chronology
from .plugins import Plugins


@pytest.fixture
def timeline_plugins() -> Plugins:
    """Every installed plugin, loaded strictly (a failure raises PluginError)."""
    return _testing.make_test_plugins(installed=True)


@pytest.fixture(scope="session")
def bundled_chronology() -> Chronology:
    """The bundled Pakistan–Russia chronology (9 events; title ``pakistan-russia``)."""
    return _testing.bundled_chronology()

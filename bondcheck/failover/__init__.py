"""The link-pull failover test and its safety rails (``bondcheck failover``).

Modules, in the order a run uses them:

* ``plan``     what to pull, and the pre-check rules that refuse (pure);
* ``target``   the probe target: routed through the bond, answering, best ping flavour;
* ``deadman``  the scripts run on the node: lock, restore timer, pull, restore, disarm (pure);
* ``node``     the NodeShell interface any transport satisfies, and root/sudo wrapping;
* ``steps``    one function per remote step, and the parsers of their output;
* ``probe``    ping output parsing: lost probes and the largest gap (pure);
* ``rejoin``   has the port rejoined; does the node equal its state before (pure);
* ``assess``   every assertion about one pull, as a verdict (pure);
* ``execute``  one pull end to end, with recovery on every error path;
* ``runner``   nodes and ports one at a time, consent, dry run;
* ``result`` / ``report``   outcomes, exit codes and the four output formats;
* ``shells``   NodeShell adapters for ssh, handler-exec, oc-debug and kubectl-debug.

See docs/failover.md for the safety model.
"""

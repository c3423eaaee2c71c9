"""Process-boundary stand-ins for a Kubernetes API server and the ``oc``/``kubectl`` CLIs.

No real API server, kubelet or ``oc`` can run on the test machines, so these speak the same
wire protocol (HTTP + WebSocket exec) and the same CLI surface that bondcheck's production code
uses, and execute node commands for real: locally via ``sh`` for mechanics tests, or over ssh
to a QEMU lab node when ``BONDCHECK_STANDIN_SSH_CONFIG`` points at the lab's ssh config.
"""

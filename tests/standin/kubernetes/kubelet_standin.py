# STAND-IN for kubelet (packaged as /usr/bin/kubelet by build_repo.py, with a kubelet.service unit like the real
# package's): it runs nothing and waits, so that systemd sees the unit kubeadm's packages would install.
import signal
import sys

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.pause()

"""Kubernetes manifests: the pod templates of workloads, what reaches each container's
environment as the kubelet computes it, and the container's memory limit."""

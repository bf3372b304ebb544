"""Checks the Kubernetes manifests offline: renders every overlay with
`kubectl kustomize`, validates the output against the Kubernetes schemas
shipped by kubernetes-validate (strict: unknown fields fail), and checks the
rules salle's pods keep. CloudNativePG's Cluster and ScheduledBackup have no
schema offline: they are listed as skipped and their essentials checked here.

Usage: python3 tests/tools/check_manifests.py [k8s-dir]
"""

import pathlib
import subprocess
import sys
import tempfile

import yaml

# The oldest Kubernetes the manifests support (preStop `sleep` is 1.30), and the newest schemas shipped.
VERSIONS = ["1.30.0", "1.37.0"]
# Custom resources with no schema available offline: their API group and kinds.
SKIPPED = {("postgresql.cnpg.io/v1", "Cluster"), ("postgresql.cnpg.io/v1", "ScheduledBackup")}

problems = []


def problem(where, what):
    problems.append(f"{where}: {what}")


def validate(path, version):
    """kubernetes-validate's verdict: (exit code, warnings about missing schemas)."""
    run = subprocess.run(
        ["kubernetes-validate", "--strict", "--quiet", "-k", version, str(path)],
        capture_output=True,
        text=True,
    )
    output = run.stdout + run.stderr
    missing = [line for line in output.splitlines() if "Couldn't find schema" in line]
    others = [line for line in output.splitlines() if line.strip() and line not in missing]
    return run.returncode, missing, others


def check_containers(name, spec):
    pod = spec["template"]["spec"]
    security = pod.get("securityContext", {})
    if not security.get("runAsNonRoot"):
        problem(name, "the pod does not require a non-root user")
    if pod.get("automountServiceAccountToken") is not False:
        problem(name, "the pod mounts a service account token it does not need")
    for c in pod["containers"]:
        where = f"{name}/{c['name']}"
        sc = c.get("securityContext", {})
        if sc.get("allowPrivilegeEscalation") is not False:
            problem(where, "privilege escalation is not forbidden")
        if sc.get("readOnlyRootFilesystem") is not True:
            problem(where, "the root filesystem is writable")
        if sc.get("capabilities", {}).get("drop") != ["ALL"]:
            problem(where, "not every capability is dropped")
        resources = c.get("resources", {})
        for kind in ("requests", "limits"):
            if not {"cpu", "memory"} <= set(resources.get(kind, {})):
                problem(where, f"no cpu and memory {kind}")
        for env in c.get("env", []):
            if "value" in env and any(k in env["name"] for k in ("SECRET", "PASSWORD", "KEY")):
                problem(where, f"{env['name']} is written in the manifest instead of a Secret reference")


def check_overlay(overlay, docs):
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    name = overlay.name
    if "Secret" in by_kind:
        problem(name, "a Secret is rendered: secret values stay out of git")
    deployments = {d["metadata"]["name"]: d for d in by_kind.get("Deployment", [])}
    for wanted in ("salle-web", "salle-worker"):
        if wanted not in deployments:
            problem(name, f"no Deployment {wanted}")
    for dname, d in deployments.items():
        if d["spec"].get("replicas", 1) < 2:
            problem(f"{name}/{dname}", "fewer than 2 replicas")
        check_containers(f"{name}/{dname}", d["spec"])
    web = deployments.get("salle-web")
    if web:
        c = web["spec"]["template"]["spec"]["containers"][0]
        if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
            problem(name, "the web pods' readiness is not /readyz")
        if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
            problem(name, "the web pods' liveness is not /healthz")
        if "serve" not in c.get("args", []):
            problem(name, "the web pods do not run `salle serve`")
    worker = deployments.get("salle-worker")
    if worker and "worker" not in worker["spec"]["template"]["spec"]["containers"][0].get("args", []):
        problem(name, "the worker pods do not run `salle worker`")
    config = {c["metadata"]["name"]: c for c in by_kind.get("ConfigMap", [])}.get("salle-config", {})
    if config.get("data", {}).get("SALLE_WORKERS") != "external":
        problem(name, "the web pods would run the projections too (SALLE_WORKERS is not external)")
    for job in by_kind.get("Job", []):
        check_containers(f"{name}/{job['metadata']['name']}", job["spec"])
    for kind in ("Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "Job"):
        if kind not in by_kind:
            problem(name, f"no {kind}")
    for ingress in by_kind.get("Ingress", []):
        if not ingress["spec"].get("tls"):
            problem(name, "the Ingress has no TLS")
    clusters = by_kind.get("Cluster", [])
    if len(clusters) != 1:
        problem(name, "expected one CloudNativePG Cluster")
    for cluster in clusters:
        spec = cluster["spec"]
        if spec.get("instances") != 3:
            problem(name, "the database does not run 3 instances")
        if not spec.get("backup", {}).get("barmanObjectStore", {}).get("destinationPath"):
            problem(name, "the database has no backup destination")
        params = spec.get("postgresql", {}).get("parameters", {})
        if params.get("fsync", "on") == "off" or params.get("synchronous_commit", "on") == "off":
            problem(name, "the database runs without fsync or synchronous_commit")
    backups = [b["spec"]["cluster"]["name"] for b in by_kind.get("ScheduledBackup", [])]
    if [c["metadata"]["name"] for c in clusters] != backups:
        problem(name, "no ScheduledBackup of the database")


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "k8s")
    overlays = sorted(p for p in (root / "overlays").iterdir() if p.is_dir())
    if not overlays:
        sys.exit(f"no overlay under {root}/overlays")
    with tempfile.TemporaryDirectory() as tmp:
        for overlay in overlays:
            rendered = subprocess.run(
                ["kubectl", "kustomize", str(overlay)], capture_output=True, text=True
            )
            if rendered.returncode != 0:
                problem(overlay.name, f"kubectl kustomize failed: {rendered.stderr.strip()}")
                continue
            path = pathlib.Path(tmp) / f"{overlay.name}.yaml"
            path.write_text(rendered.stdout)
            docs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
            for version in VERSIONS:
                code, missing, others = validate(path, version)
                if code != 0:
                    problem(overlay.name, f"Kubernetes {version} schemas: " + " | ".join(others))
                skipped = {(d["apiVersion"], d["kind"]) for d in docs if (d["apiVersion"], d["kind"]) in SKIPPED}
                unexpected = [m for m in missing if not any(f"kind {k} with api version {a}" in m for a, k in skipped)]
                for m in unexpected:
                    problem(overlay.name, f"no schema: {m}")
            check_overlay(overlay, docs)
            kinds = sorted({d["kind"] for d in docs})
            print(f"{overlay.name}: {len(docs)} resources ({', '.join(kinds)}) valid for Kubernetes "
                  f"{' and '.join(VERSIONS)}; skipped, no schema offline: "
                  f"{', '.join(sorted(k for _, k in SKIPPED))} (postgresql.cnpg.io/v1), checked by their fields")
            # The validator must refuse what is wrong: an unknown field and a wrong type.
            broken = [dict(d) for d in docs]
            for d in broken:
                if d["kind"] == "Deployment":
                    d["spec"] = dict(d["spec"], replicas="two", replica=2)
            bad = pathlib.Path(tmp) / f"{overlay.name}-broken.yaml"
            bad.write_text(yaml.safe_dump_all(broken))
            code, _, _ = validate(bad, VERSIONS[-1])
            if code == 0:
                problem(overlay.name, "kubernetes-validate accepted a broken Deployment: the check proves nothing")
    if problems:
        print("\n".join(f"manifest problem: {p}" for p in problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

# Documentation of the action plugin plugins/action/swarm_service.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_service
short_description: Create, update or remove Docker Swarm services, each on the right OS
description:
  - Runs on one swarm manager (C(run_once) on C(swarm_managers) or C(delegate_to) a manager) and drives the
    C(docker) CLI over that node's own connection, so the manager may be Linux (SSH) or Windows (WinRM).
  - Reads the nodes (with their OS), the declared services and the networks in one round trip, validates
    B(every) definition, and only then changes anything. Problems are reported together, each naming the
    service and the field.
  - O(services[].os) adds the placement constraint C(node.platform.os==OS). In a swarm with nodes of more than
    one OS, a service with neither C(os) nor an explicit C(node.platform.os) / C(node.labels.os) constraint is
    refused, because the scheduler could place a Linux image on a Windows node (or the reverse), where the task
    is rejected with C(No such image) and retried forever.
  - A new service is created; a changed one is updated in place with only the changed flags, as a rolling update
    that honours its update and rollback settings; an unchanged one is left alone (C(changed=false)).
  - Services the project did not create (no label C(mixedswarm.managed=true)) are never touched; declaring one
    is an error that says how to hand it over. Removal happens only through O(services[].state=absent).
  - Then waits until every declared service converged. When tasks created by this run are rejected or fail
    (no such image, wrong platform, Windows build mismatch) or no node satisfies the placement, it stops at once
    and reports each failing task's node and error with a hint, instead of waiting for the timeout.
options:
  services:
    description: Service definitions. Keys are described below; unknown keys are errors.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Service name.
        type: str
        required: true
      state:
        description: C(absent) removes the service, only if this project created it.
        type: str
        choices: [present, absent]
        default: present
      image:
        description:
          - Image reference, C(NAME[:TAG]) or C(NAME[:TAG]@sha256:DIGEST).
          - With a tag only, C(:latest) is implied when no tag is given and the digest the engine records for the
            tag is ignored when comparing.
          - With a digest (C(sha256:) and 64 lower-case hex digits), the reference is deployed and compared exactly
            as written, so a service running another digest is updated.
        type: str
      os:
        description: OS whose nodes run the service (adds C(node.platform.os==OS)).
        type: str
        choices: [linux, windows]
      mode:
        description:
          - C(replicated) runs O(services[].replicas) tasks, C(global) one task per eligible node. Cannot change in
            place.
          - C(replicated-job) runs O(services[].replicas) tasks to completion (O(services[].max_concurrent) at once),
            C(global-job) one per eligible node; the run waits until the job has completed and reports a failed task
            with its node and error. A changed job runs again.
        type: str
        choices: [replicated, global, replicated-job, global-job]
        default: replicated
      replicas:
        description: Number of tasks of a replicated service.
        type: int
        default: 1
      command:
        description: Arguments after the image (the container command), a list or a command-line string.
        type: raw
      entrypoint:
        description: Overrides the image's entrypoint, a list or a command-line string.
        type: raw
      env:
        description: Environment variables, a dict or a list of C(KEY=VALUE).
        type: raw
      publish:
        description:
          - Published ports, each C(80), C("8080:80"), C("53:53/udp") or a dict with C(published), C(target), C(protocol)
            (tcp, udp, sctp) and C(mode) (ingress, host).
          - C(ingress) ports answer on every node through the routing mesh; C(host) ports only on nodes running a
            task.
        type: list
        elements: raw
      publish_mode:
        description:
          - Mode of ports that do not set their own. Defaults to C(ingress), or C(host) when O(services[].routing_mesh=false).
        type: str
        choices: [ingress, host]
      networks:
        description:
          - Overlay networks to attach; each must be declared in O(networks) or exist. Service names resolve only
            on user-defined overlays, never on C(ingress).
        type: list
        elements: str
      endpoint_mode:
        description:
          - C(vip) gives the service one virtual IP; C(dnsrr) makes its name resolve to each task's address. C(dnsrr)
            cannot publish through the routing mesh. Defaults to C(vip), or C(dnsrr) when O(services[].routing_mesh=false).
        type: str
        choices: [vip, dnsrr]
      routing_mesh:
        description:
          - C(false) is the easy option for Windows Server releases without the routing mesh (or a swarm without IPVS),
            meaning endpoint mode C(dnsrr) and host-mode ports unless set otherwise.
        type: bool
        default: true
      labels:
        description: Service labels; C(mixedswarm.managed=true) is always added.
        type: raw
      constraints:
        description: Placement constraints such as C(node.role==manager) or C(node.labels.zone==a).
        type: list
        elements: str
      placement_preferences:
        description: Spread preferences such as C(spread=node.labels.zone), in order.
        type: list
        elements: str
      windows_build:
        description:
          - For a Windows service whose image tag names a Windows release (C(ltsc2019), C(ltsc2022), C(ltsc2025),
            C(1809), C(20H2), ...), C(match) places its tasks only on nodes whose C(os.build) label is that release's
            build.
          - Without it, such an image is refused when no Windows node runs its build, or when the Windows nodes run
            several builds.
        type: str
        choices: [match]
      limits:
        description: Resource limits; unset means none.
        type: dict
        suboptions:
          cpus:
            description: A number of CPUs, for example C(0.5).
            type: raw
          memory:
            description: Bytes, or a size in binary units such as C(256M) or C(1G).
            type: raw
      reservations:
        description: Resource reservations; unset means none.
        type: dict
        suboptions:
          cpus:
            description: A number of CPUs, for example C(0.5).
            type: raw
          memory:
            description: Bytes, or a size in binary units such as C(256M) or C(1G).
            type: raw
      update_config:
        description: Rolling update settings; unset keys take the engine's defaults.
        type: dict
        suboptions:
          parallelism:
            description: Tasks updated at once; 0 updates all at once.
            type: int
          delay:
            description: Wait between groups of tasks, a duration such as C(10s), C(1m30s) or C(500ms).
            type: raw
          failure_action:
            description: What the engine does when an updated task fails.
            type: str
            choices: [pause, continue, rollback]
          monitor:
            description: How long each updated task is watched for a failure, a duration.
            type: raw
          max_failure_ratio:
            description: Share of failed tasks, between 0 and 1, tolerated before the failure action.
            type: float
          order:
            description: C(stop-first) stops the old task before starting the new one; C(start-first) overlaps them.
            type: str
            choices: [stop-first, start-first]
      rollback_config:
        description: Rollback settings; unset keys take the engine's defaults.
        type: dict
        suboptions:
          parallelism:
            description: Tasks updated at once; 0 updates all at once.
            type: int
          delay:
            description: Wait between groups of tasks, a duration such as C(10s), C(1m30s) or C(500ms).
            type: raw
          failure_action:
            description: What the engine does when an updated task fails.
            type: str
            choices: [pause, continue]
          monitor:
            description: How long each updated task is watched for a failure, a duration.
            type: raw
          max_failure_ratio:
            description: Share of failed tasks, between 0 and 1, tolerated before the failure action.
            type: float
          order:
            description: C(stop-first) stops the old task before starting the new one; C(start-first) overlaps them.
            type: str
            choices: [stop-first, start-first]
      max_concurrent:
        description: 'A C(replicated-job): how many of its tasks run at once; default all of O(services[].replicas).'
        type: int
      healthcheck:
        description:
          - The container health check; a task is running only once it is healthy, and rolling updates wait for it.
            Unset keeps the image's check.
        type: dict
        suboptions:
          test:
            description:
              - The check, a shell command line (run by C(/bin/sh -c) on Linux, C(cmd /S /C) on Windows), or a list
                whose first item is C(CMD-SHELL) followed by that command line, as compose writes it.
              - Unset keeps the image's own check (its C(HEALTHCHECK)).
            type: raw
          interval:
            description: Time between two checks, a duration such as C(10s), C(1m30s) or C(500ms).
            type: raw
          timeout:
            description: Time one check may take, a duration such as C(10s), C(1m30s) or C(500ms).
            type: raw
          retries:
            description: Consecutive failures that make the task unhealthy.
            type: int
          start_period:
            description: Time after start during which failures do not count, a duration such as C(10s), C(1m30s)
              or C(500ms).
            type: raw
          disable:
            description: C(true) turns off any check, the image's too; no other key may be set with it.
            type: bool
            default: false
      restart_policy:
        description: When the engine restarts a stopped task; unset keys take the engine's defaults.
        type: dict
        suboptions:
          condition:
            description: When a stopped task is restarted; the engine's default is C(any).
            type: str
            choices: [none, on-failure, any]
          delay:
            description: Wait before a restart, a duration such as C(10s), C(1m30s) or C(500ms); default C(5s).
            type: raw
          max_attempts:
            description: Restarts before giving up; 0 (default) means no limit.
            type: int
          window:
            description: Time over which restarts are counted, a duration such as C(10s), C(1m30s) or C(500ms); 0
              (default) means unbounded.
            type: raw
      mounts:
        description:
          - Filesystem mounts, one per O(services[].mounts[].target). A changed mount is replaced in place (C(--mount-add)),
            a removed one taken out (C(--mount-rm)).
        type: list
        elements: dict
        suboptions:
          type:
            description:
              - C(volume) (a named volume, created on the node when missing), C(bind) (a path of the node), C(tmpfs)
                (memory, Linux only) or C(npipe) (a named pipe, Windows only).
            type: str
            choices: [volume, bind, tmpfs, npipe]
            default: volume
          source:
            description: Volume name, node path or pipe; unset for C(tmpfs) (and for an anonymous volume).
            type: str
          target:
            description: Path inside the container; on Windows a drive path (C(C:\data)) or a pipe.
            type: str
            required: true
          readonly:
            description: Mount read-only.
            type: bool
            default: false
          volume_driver:
            description: Driver of a C(volume) mount created on a node.
            type: str
          volume_options:
            description: Options of that driver.
            type: dict
          volume_labels:
            description: Labels of a volume created on a node.
            type: dict
          volume_nocopy:
            description: Do not copy the image's files at the target into a new volume.
            type: bool
            default: false
          propagation:
            description: Bind propagation of a C(bind) mount.
            type: str
            choices: [private, rprivate, shared, rshared, slave, rslave]
          tmpfs_size:
            description: Size of a C(tmpfs) mount, such as C(64M); unset means no limit.
            type: raw
          tmpfs_mode:
            description: File mode of a C(tmpfs) mount in octal, such as C(1777).
            type: raw
      logging:
        description:
          - 'Log driver of the tasks and its options. Unset leaves the service''s driver alone (the engine''s default
            for a new service): C(docker service update) cannot take a driver away again.'
        type: dict
        suboptions:
          driver:
            description: Driver name, such as C(json-file), C(local), C(syslog).
            type: str
          options:
            description: 'Driver options, such as C(max-size: 10m).'
            type: dict
      hostname:
        description: Container host name (Go template placeholders such as C({{.Task.Slot}}) work).
        type: str
      user:
        description: User (and group) the command runs as, C(USER[:GROUP]).
        type: str
      workdir:
        description: Working directory of the command.
        type: str
      dns:
        description: DNS servers (IP addresses), compared as a set.
        type: list
        elements: str
      dns_search:
        description: DNS search domains, compared as a set.
        type: list
        elements: str
      dns_options:
        description: Resolver options such as C(ndots:2), compared as a set.
        type: list
        elements: str
      hosts:
        description: 'Extra C(/etc/hosts) entries, a dict C(NAME: IP) or a list of C(NAME:IP).'
        type: raw
      stop_signal:
        description: Signal that stops the container, such as C(SIGQUIT).
        type: str
      stop_grace_period:
        description: Time between the stop signal and a kill, a duration such as C(10s), C(1m30s) or C(500ms); default
          C(10s).
        type: raw
      init:
        description: Run an init process as PID 1 that reaps zombies.
        type: bool
      read_only:
        description: Mount the container's root filesystem read-only.
        type: bool
      cap_add:
        description: Linux capabilities to add, such as C(NET_ADMIN) (C(CAP_) prefix optional).
        type: list
        elements: str
      cap_drop:
        description: Linux capabilities to drop, or C(ALL).
        type: list
        elements: str
      sysctls:
        description: 'Namespaced kernel parameters, such as C(net.core.somaxconn: 1024).'
        type: dict
      ulimits:
        description: 'Resource limits by name (C(nofile), C(nproc), ...): a number, C(SOFT:HARD) or C({soft, hard}).'
        type: dict
      max_replicas_per_node:
        description: At most this many tasks of the service on one node; 0 (default) means no limit.
        type: int
      pids_limit:
        description: Most processes in a container; 0 (default) means no limit.
        type: int
      generic_resources:
        description:
          - 'Node resources a task reserves, such as C(gpu: 1) (a count of a discrete resource) or a name of a named
            one; only nodes whose engine advertises them (C(node-generic-resources)) run the task.'
        type: dict
      isolation:
        description:
          - 'Windows services: C(process) shares the host''s kernel (the image''s build must match the node''s), C(hyperv)
            runs each container in a utility VM (older images run on newer hosts; the node needs the Hyper-V feature,
            see the docker_windows role''s C(docker_windows_hyperv)). Refused on a Linux service.'
        type: str
        choices: [default, process, hyperv]
      credential_spec:
        description:
          - 'Windows services: the gMSA credential spec the containers run with, exactly one of C(file), C(registry)
            or C(config). Unset leaves the service''s spec alone. Refused on a Linux service.'
        type: dict
        suboptions:
          file:
            description: A file under C(C:\ProgramData\Docker\CredentialSpecs) of each node.
            type: str
          registry:
            description:
              - A value under the nodes' registry key C(HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization\Containers\CredentialSpecs).
            type: str
          config:
            description: The name of a swarm config holding the spec.
            type: str
      secrets:
        description: Secrets the tasks read as files; changing one updates the service in place.
        type: list
        elements: dict
        suboptions:
          source:
            description: &id001
              - The logical name of an entry of O(ignore:swarm_secrets) / O(ignore:swarm_configs) (the service uses
                its current version), or the name of a secret or config that exists in the swarm.
            type: str
            required: true
          target:
            description: &id002
              - Where the task sees it. Defaults to the logical name, which the engine places under C(/run/secrets/)
                (secrets) or C(/) (configs) on Linux and under C(C:\ProgramData\Docker\secrets) or C(C:\ProgramData\Docker\configs)
                on Windows.
            type: str
          uid:
            description: Owner user ID of the file (Linux only).
            type: str
          gid:
            description: Owner group ID of the file (Linux only).
            type: str
          mode:
            description: File mode (Linux only), an octal string such as C("0440") or its number; default C(0444).
            type: raw
      configs:
        description: Configs the tasks read as files; changing one updates the service in place.
        type: list
        elements: dict
        suboptions:
          source:
            description: *id001
            type: str
            required: true
          target:
            description: *id002
            type: str
          uid:
            description: Owner user ID of the file (Linux only).
            type: str
          gid:
            description: Owner group ID of the file (Linux only).
            type: str
          mode:
            description: File mode (Linux only), an octal string such as C("0440") or its number; default C(0444).
            type: raw
  networks:
    description:
      - The network definitions of O(ignore:swarm_networks); only their names are used here, so a service may name
        a network that is declared but not created yet (validation runs before the networks stage).
    type: list
    elements: dict
    default: []
  validate_only:
    description: Validate and plan against the swarm, report what would change, change nothing (C(changed=false)).
    type: bool
    default: false
  wait:
    description: Wait for convergence after changes.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for convergence before failing with what each service is still doing.
    type: int
    default: 300
  max_task_failures:
    description: Stop waiting once a service has this many tasks, created by this run, rejected or failed.
    type: int
    default: 2
  data_versions:
    description:
      - 'The current version of each secret and config, as M(mixedswarm.swarm.swarm_secret) returns it (C(versions)):
        C({secret: {LOGICAL: NAME}, config: {LOGICAL: NAME}}).'
    type: dict
    default: {}
  with_registry_auth:
    description:
      - Create and update services with C(--with-registry-auth), so every node pulls with the credentials the manager
        logged in with (M(mixedswarm.swarm.swarm_registry_login)).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reads and plans only; reports the changes it would make.
  diff_mode:
    support: full
    description: Shows each changed service before and after.
  idempotent:
    support: full
    description: Updates only the fields that differ; an unchanged service is left alone.
notes:
  - The docker CLI on the manager resolves image digests, so the manager must reach the registry.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: A Linux web service behind the routing mesh and a Windows service without it
  mixedswarm.swarm.swarm_service:
    services:
      - name: web
        image: nginx:1.27
        os: linux
        replicas: 3
        publish: [80]
        networks: [appnet]
      - name: winapp
        image: mcr.microsoft.com/dotnet/framework/samples:aspnetapp
        os: windows
        replicas: 2
        routing_mesh: false
        publish: ["8080:80"]
        networks: [appnet]
    networks:
      - name: appnet
  run_once: true

- name: Remove a service this project created
  mixedswarm.swarm.swarm_service:
    services:
      - name: old
        state: absent
  run_once: true
"""

RETURN = r"""
services:
  description: Per service, what was done (C(create), C(update), C(remove), C(none)), which fields changed and, after waiting, running/desired tasks.
  returned: always
  type: dict
  sample: {"web": {"action": "update", "changed_fields": ["image"], "replicas": "3/3"}}
diff:
  description: Before and after of each service that changes (durations and sizes in units).
  returned: always
  type: list
"""

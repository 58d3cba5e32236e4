/** The provisioning interface both drivers implement (simulated here, proxmox for real hosts). */

/** A driver's steps in order; a resumed provision job starts after its last finished step. */
export const PROVISION_STEPS = ["prepare", "apply", "wait_ssh", "configure", "kubeconfig"] as const;
export type ProvisionStep = (typeof PROVISION_STEPS)[number];

export const STEP_LABELS: Record<ProvisionStep, string> = {
  prepare: "Preparing workspace",
  apply: "Cloning VMs",
  wait_ssh: "Waiting for SSH",
  configure: "Installing Kubernetes",
  kubeconfig: "Fetching kubeconfig",
};

export interface NodeInfo {
  name: string;
  role: "control_plane" | "worker";
  ip: string;
  vmid: number;
}

/** Everything a driver needs to build or destroy one cluster; no secrets. */
export interface ClusterSpec {
  id: string;
  tenant: string;
  name: string;
  workers: number;
  vcpus: number;
  memoryMb: number;
  diskGb: number;
  /** Control plane first, then workers. */
  ips: string[];
  prefix: number;
  gateway: string;
  dns: string[];
  kubernetesVersion: string;
  podCidr: string;
}

/** What a step may report while it runs. */
export interface StepContext {
  signal: AbortSignal;
  /** A line for the job's log tail (redacted before it is stored). */
  log(line: string): void;
  /** Fine-grained progress inside a step, such as resources applied. */
  progress(detail: string): void;
}

export interface KubectlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface InfraDriver {
  readonly name: "simulated" | "proxmox";
  /** Creates the cluster's workspace (idempotent). */
  prepare(spec: ClusterSpec, ctx: StepContext): Promise<void>;
  /** Creates or converges the VMs; returns the nodes (idempotent). */
  apply(spec: ClusterSpec, ctx: StepContext): Promise<NodeInfo[]>;
  /** Waits until every node answers SSH. */
  waitForSsh(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<void>;
  /** Turns the VMs into a kubeadm cluster (idempotent). */
  configure(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<void>;
  /** Returns the admin kubeconfig, pointing at the control-plane IP. */
  fetchKubeconfig(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<string>;
  /** Destroys whatever exists of the cluster (idempotent; nothing to destroy is fine). */
  destroy(spec: ClusterSpec, ctx: StepContext): Promise<void>;
  /** Runs kubectl on the control plane with the given argv. */
  kubectl(spec: ClusterSpec, nodes: NodeInfo[], argv: string[], stdin?: string): Promise<KubectlResult>;
  /** Powers every VM off (`running: false`) or on; VMs, disks and addresses stay (idempotent). */
  power(spec: ClusterSpec, nodes: NodeInfo[], running: boolean, ctx: StepContext): Promise<void>;
  /** Waits until every node reports Ready to Kubernetes (after a start). */
  waitForNodesReady(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<void>;
  /** Joins `joining` (new workers, already answering SSH) to the cluster with a fresh kubeadm token (idempotent). */
  joinWorkers(spec: ClusterSpec, nodes: NodeInfo[], joining: NodeInfo[], ctx: StepContext): Promise<void>;
  /** Drains `leaving` and deletes them from Kubernetes, before their VMs go (idempotent: a gone node is fine). */
  drainWorkers(spec: ClusterSpec, nodes: NodeInfo[], leaving: NodeInfo[], ctx: StepContext): Promise<void>;
}

/** Raised by a driver step with the lines worth showing in the failure message. */
export class StepError extends Error {
  constructor(message: string, readonly logTail: string[] = []) {
    super(message);
  }
}

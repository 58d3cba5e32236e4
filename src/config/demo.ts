/** The built-in demo configuration, used when no labforge.yaml exists: console identities, simulated infrastructure. */
export const DEMO_CONFIG = {
  admins: ["console:root"],
  tenants: {
    cs401: {
      name: "CS401 Distributed Systems",
      channels: ["console:#cs401"],
      approvals: "students",
      quota: { clusters: 20, nodes: 60, vcpus: 120, memory_gb: 240 },
      limits: { max_workers: 3, per_user_clusters: 1, default_ttl: "14d", max_ttl: "60d" },
    },
    "dsg-lab": {
      name: "Distributed Systems Group",
      channels: ["console:#dsg-lab"],
      approvals: "none",
      limits: { max_workers: 5, per_user_clusters: 3, default_ttl: "30d", max_ttl: "90d" },
    },
  },
  members: [
    { name: "Ada Lovelace", identities: ["console:ada"], roles: { cs401: "instructor", "dsg-lab": "instructor" } },
    { name: "Tim Berners-Lee", identities: ["console:tim"], roles: { cs401: "ta" } },
    { name: "Bob Student", identities: ["console:bob"], roles: { cs401: "student" } },
    { name: "Carol Student", identities: ["console:carol"], roles: { cs401: "student" } },
    { name: "Vic Viewer", identities: ["console:vic"], roles: { cs401: "viewer" } },
    { name: "Grace Researcher", identities: ["console:grace"], roles: { "dsg-lab": "student" } },
  ],
  network: { pool: "10.40.19.201-10.40.19.250", prefix: 24, gateway: "10.40.19.254", dns: ["10.40.2.1"] },
  infra: { driver: "simulated", simulated: { step_ms: 300 } },
};

import { channelsFrom, GENERIC_WORKER_HEALTH_PORT, WORKER_APPS, WorkerApp, WorkerAppName } from '@relay/runtime';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, sep } from 'node:path';
import * as ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { CHANNELS } from '@relay/channels';
import { queueName } from '@relay/models';

// No cluster in CI: deploy/kubernetes is rendered with `kubectl kustomize` (.ci/run installs
// Debian's kubernetes-client when kubectl is missing), every object is validated against the
// Kubernetes schemas (kubernetes-models: JSON schemas of the OpenAPI spec, compiled with ajv),
// unknown fields are caught by type-checking each object against the same models' TypeScript
// interfaces, and the manifests are held to the contract: package.json's start scripts,
// docker-compose.yml, the Dockerfile, the README's ports and health endpoints.
const root = join(__dirname, '..', '..');
const deployDir = join(root, 'deploy', 'kubernetes');
const read = (...p: string[]) => readFileSync(join(root, ...p), 'utf8');

const compose = parse(read('docker-compose.yml'), { merge: true });
const scripts: Record<string, string> = JSON.parse(read('package.json')).scripts;
const nestCli = JSON.parse(read('nest-cli.json'));
const dockerfile = read('Dockerfile');
const readme = read('README.md');
const kustomization = parse(read('deploy', 'kubernetes', 'kustomization.yaml'));
const exampleConfig = read('config', 'relay.example.yml');
const secretExample = parse(read('deploy', 'kubernetes', 'secret.example.yaml'));

/** bench/digest.bench.ts, 10,000-notification flood: a worker's resident memory peaks around 255 MB. */
const WORKER_PEAK_RSS_BYTES = 255e6;
/** The node image's `node` user (Dockerfile: USER node). */
const NODE_UID = 1000;

/** The relay's own services in compose: the ones built from this repository's Dockerfile. */
const RELAY_SERVICES: string[] = Object.keys(compose.services).filter((s) => compose.services[s].build === '.');
const WORKER_SERVICES = RELAY_SERVICES.filter((s) => s !== 'ingest');

/** README "Running": `PORT` (ingest, default 8080), `HEALTH_PORT` (… 8081 dingtalk, 8082 wechat, …). */
function readmePorts(): Record<string, { name: 'PORT' | 'HEALTH_PORT'; value: string }> {
  const ports: Record<string, { name: 'PORT' | 'HEALTH_PORT'; value: string }> = {};
  const ingest = /`PORT` \(ingest, default (\d+)\)/.exec(readme);
  if (ingest) ports.ingest = { name: 'PORT', value: ingest[1] };
  const workers = /`HEALTH_PORT` \(([^)]*)\)/.exec(readme)?.[1] ?? '';
  for (const [, port, channel] of workers.matchAll(/(\d+) ([a-z_]+)/g)) ports[`${channel}-worker`] = { name: 'HEALTH_PORT', value: port };
  const generic = /`RELAY_CHANNELS` \([^)]*answers on (\d+)/.exec(readme);
  if (generic) ports.worker = { name: 'HEALTH_PORT', value: generic[1] };
  return ports;
}
const README_PORTS = readmePorts();

/** Which queues each worker app consumes, read from its @Processor declarations. */
/** The queues a worker service consumes: its app's channels, or the generic worker's RELAY_CHANNELS. */
function workerQueues(service: string): string[] {
  const app: WorkerApp | undefined = WORKER_APPS[service as WorkerAppName];
  return (app ? app.channels : channelsFrom(compose.services[service].environment.RELAY_CHANNELS)).map(queueName);
}

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

/** Every kind these manifests may use: its schema-validating model and its TypeScript interface. */
const MODELS: Record<string, { validate: (o: K8sObject) => void; type: string }> = {
  'v1/Namespace': { validate: (o) => new Namespace(o as any).validate(), type: `import('kubernetes-models/v1/Namespace').INamespace` },
  'v1/ConfigMap': { validate: (o) => new ConfigMap(o as any).validate(), type: `import('kubernetes-models/v1/ConfigMap').IConfigMap` },
  'v1/Secret': { validate: (o) => new Secret(o as any).validate(), type: `import('kubernetes-models/v1/Secret').ISecret` },
  'v1/Service': { validate: (o) => new Service(o as any).validate(), type: `import('kubernetes-models/v1/Service').IService` },
  'apps/v1/Deployment': { validate: (o) => new Deployment(o as any).validate(), type: `import('kubernetes-models/apps/v1/Deployment').IDeployment` },
  'apps/v1/StatefulSet': { validate: (o) => new StatefulSet(o as any).validate(), type: `import('kubernetes-models/apps/v1/StatefulSet').IStatefulSet` },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    validate: (o) => new HorizontalPodAutoscaler(o as any).validate(),
    type: `import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler').IHorizontalPodAutoscaler`,
  },
  'policy/v1/PodDisruptionBudget': {
    validate: (o) => new PodDisruptionBudget(o as any).validate(),
    type: `import('kubernetes-models/policy/v1/PodDisruptionBudget').IPodDisruptionBudget`,
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    validate: (o) => new NetworkPolicy(o as any).validate(),
    type: `import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy').INetworkPolicy`,
  },
  'keda.sh/v1alpha1/ScaledObject': {
    validate: (o) => new ScaledObject(o as any).validate(),
    type: `import('@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject').IScaledObject`,
  },
};

const label = (o: K8sObject) => `${o.kind}/${o.metadata?.name}`;

/** Schema errors of each object, as `Kind/name: message`. */
function schemaErrors(objects: K8sObject[]): string[] {
  return objects.flatMap((o) => {
    const model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!model) return [`${label(o)}: no schema for ${o.apiVersion} ${o.kind}`];
    try {
      model.validate(o);
      return [];
    } catch (e) {
      return [`${label(o)}: ${(e as Error).message}`];
    }
  });
}

/**
 * The Kubernetes schemas accept unknown fields (the API server drops them), so a misspelt
 * `readinessprobe` would pass them. TypeScript's excess-property check against the models'
 * interfaces finds every field the API does not have, at any depth.
 */
function unknownFieldErrors(objects: K8sObject[]): string[] {
  const file = join(root, 'test', 'static', '__kubernetes_manifests__.ts'); // never written: served from memory
  const starts: Array<{ line: number; label: string }> = [];
  let text = '';
  objects.forEach((o, i) => {
    const model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!model) return;
    starts.push({ line: text.split('\n').length - 1, label: label(o) });
    text += `export const o${i}: ${model.type} = ${JSON.stringify(o, null, 1)};\n`;
  });
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, ...rest));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file?.fileName !== file || d.start === undefined) return message;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    const owner = [...starts].reverse().find((s) => s.line <= line);
    return `${owner?.label ?? '?'}: ${message}`;
  });
}

function kubectlAvailable(): boolean {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

function kustomize(dir: string): { ok: true; objects: K8sObject[] } | { ok: false; stderr: string } {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) return { ok: false, stderr: r.stderr };
  const docs = parseAllDocuments(r.stdout);
  for (const d of docs) if (d.errors.length) throw new Error(`kubectl kustomize ${dir}: ${d.errors.join('; ')}`);
  return { ok: true, objects: docs.map((d) => d.toJS()).filter(Boolean) };
}

function renderOrThrow(dir: string): K8sObject[] {
  const r = kustomize(dir);
  if (!r.ok) throw new Error(`kubectl kustomize ${dir} failed:\n${r.stderr}`);
  return r.objects;
}

/**
 * deploy/kubernetes with the optional KEDA component, as `components: [keda]` in its
 * kustomization would render it. kubectl before 1.21 embeds kustomize v2, which has no
 * components: then the component's resources (all it has, checked) are added by hand.
 */
function renderWithKeda(base: K8sObject[]): K8sObject[] {
  const overlay = mkdtempSync(join(tmpdir(), 'alert-relay-kustomize-'));
  const rel = (p: string) => relative(overlay, p).split(sep).join(posix.sep);
  try {
    writeFileSync(
      join(overlay, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        `namespace: ${kustomization.namespace}`,
        'resources:',
        `  - ${rel(deployDir)}`,
        'components:',
        `  - ${rel(join(deployDir, 'keda'))}`,
        '',
      ].join('\n'),
    );
    const r = kustomize(overlay);
    if (r.ok) return r.objects;
    if (!/unknown field "components"/.test(r.stderr)) throw new Error(`kubectl kustomize (with keda) failed:\n${r.stderr}`);
  } finally {
    rmSync(overlay, { recursive: true, force: true });
  }
  const component = parse(read('deploy', 'kubernetes', 'keda', 'kustomization.yaml'));
  expect(Object.keys(component).sort()).toEqual(['apiVersion', 'kind', 'resources']);
  const added = (component.resources as string[]).flatMap((f) =>
    parseAllDocuments(read('deploy', 'kubernetes', 'keda', f))
      .map((d) => d.toJS())
      .filter(Boolean)
      .map((o: K8sObject) => ({ ...o, metadata: { ...o.metadata, namespace: kustomization.namespace } })),
  );
  return [...base, ...added];
}

// ---- small helpers over rendered objects ----------------------------------------------------

const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const workloads = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const relayDeployments = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'Deployment' && o.spec.template.metadata.labels['app.kubernetes.io/name'] === 'alert-relay');

/** A Kubernetes quantity (`500m`, `1`, `256Mi`, `1Gi`) or a Redis size (`512mb`), in base units. */
function quantity(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi|kb|mb|gb)?$/.exec(String(q));
  if (!m) throw new Error(`not a quantity: ${q}`);
  const factor: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30 };
  return Number(m[1]) * (m[2] ? factor[m[2]] : 1);
}

/** A container's port number, by name or number. */
function containerPort(container: any, port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p: any) => p.name === port)?.containerPort;
}

/** What a relay container's environment holds, with where each variable comes from. */
function effectiveEnv(objects: K8sObject[], container: any): Map<string, { from: 'env' | 'configMap' | 'secret'; value?: string }> {
  const env = new Map<string, { from: 'env' | 'configMap' | 'secret'; value?: string }>();
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const cm = find(objects, 'ConfigMap', source.configMapRef.name);
      if (!cm) throw new Error(`${container.name}: envFrom ConfigMap ${source.configMapRef.name} is not rendered`);
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(k, { from: 'configMap', value: v as string });
    }
    if (source.secretRef) {
      if (source.secretRef.name !== secretExample.metadata.name) throw new Error(`${container.name}: envFrom Secret ${source.secretRef.name} is not secret.example.yaml's`);
      for (const k of Object.keys(secretExample.stringData ?? {})) env.set(k, { from: 'secret' });
    }
  }
  for (const e of container.env ?? []) env.set(e.name, { from: 'env', value: e.value });
  return env;
}

/** Every `${VAR}`, `${VAR:-fallback}` in the relay config's values (its comments mention some too). */
function configVars(text: string): Set<string> {
  const vars = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
    else if (typeof node === 'string') for (const m of node.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}/g)) vars.add(m[1]);
  };
  walk(parse(text));
  return vars;
}
/** compose passes secrets through as `${NAME:-}`; everything else is a literal. */
const composeSecretRef = (value: unknown) => /^\$\{([A-Z0-9_]+)(:?-[^}]*)?\}$/.exec(String(value))?.[1];

// ---- what needs no kubectl ------------------------------------------------------------------

describe('deploy/kubernetes files', () => {
  it('ships the relay config as a copy of config/relay.example.yml', () => {
    const files = kustomization.configMapGenerator.find((g: any) => g.name === 'alert-relay-config').files as string[];
    expect(files).toEqual(['relay.yml']);
    // Kustomize reads no file outside its folder (nor a symlink out of it), hence a copy.
    if (read('deploy', 'kubernetes', 'relay.yml') !== exampleConfig) {
      throw new Error('deploy/kubernetes/relay.yml is not config/relay.example.yml: cp config/relay.example.yml deploy/kubernetes/relay.yml');
    }
  });

  it('has a Secret template with every credential the config and compose read, and nothing in it', () => {
    expect(schemaErrors([secretExample])).toEqual([]);
    expect(unknownFieldErrors([secretExample])).toEqual([]);
    expect(secretExample.metadata.namespace).toBe(kustomization.namespace);
    const keys = Object.keys(secretExample.stringData);
    const composeSecrets = Object.values(compose.services.ingest.environment).map(composeSecretRef).filter(Boolean);
    expect(composeSecrets.length).toBeGreaterThan(0);
    for (const name of composeSecrets) expect(keys).toContain(name);
    for (const name of configVars(exampleConfig)) expect(keys).toContain(name);
    for (const value of Object.values(secretExample.stringData)) expect(value).toBe('');
    // Never applied with the rest, so `kubectl apply -k` cannot overwrite real credentials.
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    expect(kustomization.secretGenerator).toBeUndefined();
  });

  it('renders with every kubectl: no kustomize feature newer than v2 in the base', () => {
    for (const r of kustomization.resources as string[]) expect(r).toMatch(/\.ya?ml$/);
    for (const key of Object.keys(kustomization)) {
      expect(['apiVersion', 'kind', 'namespace', 'resources', 'configMapGenerator', 'images']).toContain(key);
    }
  });
});

// ---- the rendered manifests -----------------------------------------------------------------

const HAVE_KUBECTL = kubectlAvailable();
const IN_CI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());
const SKIP_RENDERED = !HAVE_KUBECTL && !IN_CI;
const SKIP_REASON = 'kubectl is not on PATH (apt-get install kubernetes-client; .ci/run installs it in CI)';
if (SKIP_RENDERED) console.warn(`test/static/kubernetes.spec.ts: rendered manifests not checked: ${SKIP_REASON}`);

(SKIP_RENDERED ? describe.skip : describe)(`kubectl kustomize deploy/kubernetes${SKIP_RENDERED ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  let objects: K8sObject[];
  let withKeda: K8sObject[];

  beforeAll(() => {
    if (!HAVE_KUBECTL) throw new Error(`CI must check the Kubernetes manifests, but ${SKIP_REASON}`);
    objects = renderOrThrow(deployDir);
    withKeda = renderWithKeda(objects);
  });

  const deployment = (name: string) => {
    const d = find(objects, 'Deployment', name);
    if (!d) throw new Error(`no Deployment ${name}`);
    return d;
  };
  const containerOf = (name: string) => deployment(name).spec.template.spec.containers[0];

  describe('schemas', () => {
    it('validates every object, the KEDA component included, against the Kubernetes schemas', () => {
      expect(withKeda.length).toBeGreaterThan(objects.length);
      expect(schemaErrors(withKeda)).toEqual([]);
    });

    it('uses no field the Kubernetes API does not have', () => {
      expect(unknownFieldErrors(withKeda)).toEqual([]);
    });

    it('puts every object in the namespace, which enforces the restricted Pod Security Standard', () => {
      const ns = find(objects, 'Namespace', kustomization.namespace)!;
      expect(ns.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
      for (const o of withKeda.filter((x) => x.kind !== 'Namespace')) expect([label(o), o.metadata.namespace]).toEqual([label(o), kustomization.namespace]);
    });

    it('renders no Secret (credentials are created apart) and no ScaledObject unless asked', () => {
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
      expect(objects.filter((o) => o.kind === 'ScaledObject')).toEqual([]);
    });
  });

  describe('apps, against package.json, docker-compose.yml, the Dockerfile and the README', () => {
    it('has one relay Deployment per relay service of docker-compose.yml, and no other', () => {
      expect(WORKER_SERVICES.length).toBe(Object.keys(WORKER_APPS).length + 1); // and the generic worker
      expect(relayDeployments(objects).map((d) => d.metadata.name).sort()).toEqual([...RELAY_SERVICES].sort());
    });

    it.each(RELAY_SERVICES)('%s runs the same command as compose and its npm start script, from the image', (service) => {
      const container = containerOf(service);
      // `args`, as compose's `command`: the image's entrypoint stays, node gets SIGTERM.
      expect(container.command).toBeUndefined();
      expect(container.args).toEqual(compose.services[service].command);
      expect(container.args.join(' ')).toBe(scripts[`start:${service}`]);
      // …a file the image has: the Dockerfile copies dist/ into its WORKDIR, where the build put the app's entry.
      const project = nestCli.projects[service];
      expect(project.type).toBe('application');
      expect(container.args[1]).toBe(`dist/${project.sourceRoot}/${project.entryFile}.js`);
      expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
      expect(dockerfile.slice(dockerfile.lastIndexOf('FROM '))).toMatch(/^WORKDIR \/app$/m);
    });

    it.each(RELAY_SERVICES)('%s listens, is probed and scraped on its documented port', (service) => {
      const documented = README_PORTS[service];
      expect(documented).toBeDefined();
      const composeEnv = compose.services[service].environment;
      expect(composeEnv[documented.name]).toBe(documented.value);
      // The app's own default is the README's too.
      if (service === 'ingest') expect(read('apps', service, 'src', 'main.ts')).toContain(`process.env.${documented.name} || ${documented.value}`);
      else expect(String(WORKER_APPS[service as WorkerAppName]?.healthPort ?? GENERIC_WORKER_HEALTH_PORT)).toBe(documented.value);

      const d = deployment(service);
      const container = containerOf(service);
      const port = Number(documented.value);
      expect(effectiveEnv(objects, container).get(documented.name)).toEqual({ from: 'env', value: documented.value });
      expect(container.ports.map((p: any) => p.containerPort)).toEqual([port]);
      expect(containerPort(container, container.livenessProbe.httpGet.port)).toBe(port);
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(containerPort(container, container.readinessProbe.httpGet.port)).toBe(port);
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      if (container.startupProbe) {
        expect(containerPort(container, container.startupProbe.httpGet.port)).toBe(port);
        expect(container.startupProbe.httpGet.path).toBe('/health/live');
      }
      expect(readme).toContain('`GET /health/live`, `GET /health/ready`');
      expect(readme).toContain('`GET /metrics`');
      expect(d.spec.template.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': documented.value,
        'prometheus.io/path': '/metrics',
      });
    });

    it.each(RELAY_SERVICES)("%s has compose's environment: same settings, credentials from the Secret", (service) => {
      const env = effectiveEnv(objects, containerOf(service));
      for (const [name, value] of Object.entries(compose.services[service].environment)) {
        const secret = composeSecretRef(value);
        if (secret) expect([name, env.get(name)?.from]).toEqual([name, 'secret']);
        else expect([name, env.get(name)?.value]).toEqual([name, String(value)]);
      }
      // …and every variable the config reads is set.
      const cm = find(objects, 'ConfigMap', deployment(service).spec.template.spec.volumes.find((v: any) => v.name === 'config').configMap.name)!;
      for (const name of configVars(cm.data['relay.yml'])) expect([name, env.has(name)]).toEqual([name, true]);
    });

    it.each(RELAY_SERVICES)('%s reads RELAY_CONFIG from the mounted ConfigMap of deploy/kubernetes/relay.yml', (service) => {
      const container = containerOf(service);
      const file = effectiveEnv(objects, container).get('RELAY_CONFIG')!.value!;
      const mount = container.volumeMounts.find((m: any) => m.mountPath === posix.dirname(file));
      expect(mount).toBeDefined();
      expect(mount.readOnly).toBe(true);
      const volume = deployment(service).spec.template.spec.volumes.find((v: any) => v.name === mount.name);
      const cm = find(objects, 'ConfigMap', volume.configMap.name);
      expect(cm?.metadata.name).toMatch(/^alert-relay-config-/); // hashed: a changed config rolls the pods
      expect(cm!.data[posix.basename(file)]).toBe(read('deploy', 'kubernetes', 'relay.yml'));
    });

    it.each(RELAY_SERVICES)('%s runs the one image of the kustomization, with the stop time compose gives', (service) => {
      const image = kustomization.images.find((i: any) => i.name === 'alert-relay');
      expect(containerOf(service).image).toBe(`${image.newName}:${image.newTag}`);
      const grace = Number(/^(\d+)s$/.exec(compose.services[service].stop_grace_period)![1]);
      expect(deployment(service).spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(grace);
    });
  });

  describe('ingest', () => {
    it('is reached as the README tells Alertmanager: a Service on 8080 selecting ingest pods only', () => {
      const [, host, port] = /url: http:\/\/([a-z0-9-]+):(\d+)\/webhook/.exec(readme)!;
      const service = find(objects, 'Service', host)!;
      expect(service).toBeDefined();
      const servicePort = service.spec.ports.find((p: any) => p.port === Number(port));
      expect(containerPort(containerOf('ingest'), servicePort.targetPort)).toBe(Number(README_PORTS.ingest.value));
      const selected = workloads(objects).filter((w) => matches(service.spec.selector, w.spec.template.metadata.labels));
      expect(selected.map(label)).toEqual(['Deployment/ingest']);
    });

    it('scales on CPU with at least two replicas, which the Deployment leaves to the autoscaler', () => {
      const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ingest' });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      expect(hpa.spec.metrics).toEqual([expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) })]);
      expect(containerOf('ingest').resources.requests.cpu).toBeDefined(); // Utilization is relative to it
      expect(deployment('ingest').spec.replicas).toBeUndefined();
    });

    it('keeps ingest up through drains: a PodDisruptionBudget over ingest pods only', () => {
      const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
      expect(pdbs).toHaveLength(1);
      const [pdb] = pdbs;
      const selected = workloads(objects).filter((w) => matches(pdb.spec.selector.matchLabels, w.spec.template.metadata.labels));
      expect(selected.map(label)).toEqual(['Deployment/ingest']);
      const minReplicas = objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!.spec.minReplicas;
      // At the minimum, one pod may go and one stays.
      const unavailable = pdb.spec.maxUnavailable ?? minReplicas - pdb.spec.minAvailable;
      expect(unavailable).toBeGreaterThanOrEqual(1);
      expect(minReplicas - unavailable).toBeGreaterThanOrEqual(1);
    });

    it('is sized from the benchmarks: about one core at saturation', () => {
      const { requests, limits } = containerOf('ingest').resources;
      expect(quantity(limits.cpu)).toBeGreaterThanOrEqual(1);
      expect(quantity(requests.cpu)).toBeLessThanOrEqual(quantity(limits.cpu));
    });
  });

  describe('workers', () => {
    it.each(WORKER_SERVICES)('%s is sized for a 10,000-notification flood', (service) => {
      const { requests, limits } = containerOf(service).resources;
      expect(quantity(requests.memory)).toBeGreaterThanOrEqual(WORKER_PEAK_RSS_BYTES);
      expect(quantity(limits.memory)).toBeGreaterThan(quantity(requests.memory));
      expect(quantity(limits.cpu)).toBeGreaterThanOrEqual(quantity(requests.cpu));
    });

    it('every channel has a worker that consumes its queue', () => {
      const queues = WORKER_SERVICES.flatMap(workerQueues).sort();
      expect(queues).toEqual(CHANNELS.map(queueName).sort());
    });
  });

  describe('Redis', () => {
    const redis = () => find(objects, 'StatefulSet', 'redis')!;

    it("runs compose's Redis: same image and flags (AOF, noeviction), probed with redis-cli ping, data on a volume", () => {
      const container = redis().spec.template.spec.containers[0];
      expect(container.image).toBe(compose.services.redis.image);
      const flags: string[] = compose.services.redis.command;
      expect(container.args.slice(0, flags.length)).toEqual(flags);
      expect(container.args[container.args.indexOf('--appendonly') + 1]).toBe('yes');
      expect(container.args[container.args.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        expect(['CMD', ...container[probe].exec.command]).toEqual(compose.services.redis.healthcheck.test);
      }
      expect(compose.services.redis.volumes[0]).toMatch(/:\/data$/);
      const claim = redis().spec.volumeClaimTemplates[0].metadata.name;
      expect(container.volumeMounts).toContainEqual({ name: claim, mountPath: '/data' });
    });

    it('refuses writes before its memory limit is reached, with room for an AOF rewrite', () => {
      const container = redis().spec.template.spec.containers[0];
      const maxmemory = quantity(container.args[container.args.indexOf('--maxmemory') + 1]);
      expect(maxmemory).toBeGreaterThan(0);
      expect(maxmemory * 2).toBeLessThanOrEqual(quantity(container.resources.limits.memory));
    });

    it("is where REDIS_URL points, as in compose, and only the relay's pods may reach it", () => {
      const url = new URL(effectiveEnv(objects, containerOf('ingest')).get('REDIS_URL')!.value!);
      expect(url.password).toBe('');
      const service = find(objects, 'Service', url.hostname)!;
      expect(redis().spec.serviceName).toBe(service.metadata.name);
      expect(service.spec.ports.map((p: any) => p.port)).toEqual([Number(url.port)]);
      expect(workloads(objects).filter((w) => matches(service.spec.selector, w.spec.template.metadata.labels)).map(label)).toEqual(['StatefulSet/redis']);

      const policy = objects.find((o) => o.kind === 'NetworkPolicy' && matches(o.spec.podSelector.matchLabels, redis().spec.template.metadata.labels))!;
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      const allowed = workloads(objects).filter((w) => policy.spec.ingress.some((rule: any) => rule.from.some((f: any) => matches(f.podSelector.matchLabels, w.spec.template.metadata.labels))));
      expect(allowed.map(label).sort()).toEqual(relayDeployments(objects).map(label).sort());
    });
  });

  describe('security', () => {
    it('selects each workload\'s pods and no other\'s', () => {
      for (const w of workloads(objects)) {
        for (const other of workloads(objects)) {
          expect([label(w), label(other), matches(w.spec.selector.matchLabels, other.spec.template.metadata.labels)]).toEqual([label(w), label(other), w === other]);
        }
      }
    });

    it('runs every pod as non-root, read-only, without privileges, capabilities or an API token', () => {
      for (const w of workloads(objects)) {
        const pod = w.spec.template.spec;
        expect([label(w), pod.automountServiceAccountToken]).toEqual([label(w), false]);
        expect(pod.hostNetwork ?? pod.hostPID ?? pod.hostIPC).toBeUndefined();
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
        for (const v of pod.volumes ?? []) expect(v.hostPath).toBeUndefined();
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          expect([label(w), c.securityContext]).toEqual([label(w), { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }]);
        }
      }
    });

    it.each(RELAY_SERVICES)("%s runs as the image's node user, with a writable /tmp only", (service) => {
      expect(dockerfile).toMatch(/^USER node$/m);
      expect(dockerfile.slice(dockerfile.lastIndexOf('FROM '))).toMatch(/^FROM node:/);
      const pod = deployment(service).spec.template.spec;
      expect(pod.securityContext.runAsUser).toBe(NODE_UID);
      const writable = pod.containers[0].volumeMounts.filter((m: any) => !m.readOnly);
      expect(writable.map((m: any) => m.mountPath)).toEqual(['/tmp']);
      expect(pod.volumes.find((v: any) => v.name === writable[0].name).emptyDir).toBeDefined();
    });

    it('keeps secrets out of ConfigMaps: every credential in the config is a ${VAR}', () => {
      const credential = /(secret|password|token|key)$/i;
      const credentialInValue = /access_token=|[?&]key=|hooks\.slack\.com\/services\/|:\/\/[^/@]*:[^/@]*@/;
      const inline: string[] = [];
      const walk = (node: unknown, path: string) => {
        if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
        else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
        else if (typeof node === 'string' && (credential.test(path.split('.').pop()!) || credentialInValue.test(node)) && !node.includes('${')) inline.push(path);
      };
      for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
        for (const [key, value] of Object.entries(cm.data ?? {})) {
          if (/\.ya?ml$/.test(key)) walk(parse(value as string), '');
          else expect([key, credential.test(key) || credentialInValue.test(value as string)]).toEqual([key, false]);
        }
      }
      expect(inline).toEqual([]);
    });

    it('sets resource requests and limits on every container', () => {
      for (const w of workloads(objects)) {
        for (const c of w.spec.template.spec.containers) {
          for (const r of ['cpu', 'memory']) {
            expect(quantity(c.resources.requests[r])).toBeLessThanOrEqual(quantity(c.resources.limits[r]));
          }
        }
      }
    });
  });

  describe('KEDA component (optional)', () => {
    const scaledObjects = () => withKeda.filter((o) => o.kind === 'ScaledObject');

    it('scales every worker, and only workers, on alert_relay_queue_jobs of its own queues, delayed jobs included', () => {
      expect(scaledObjects().map((s) => s.spec.scaleTargetRef.name).sort()).toEqual([...WORKER_SERVICES].sort());
      expect(read('libs', 'observability', 'src', 'metrics.ts')).toContain("name: 'alert_relay_queue_jobs'");
      for (const so of scaledObjects()) {
        const service = so.spec.scaleTargetRef.name;
        expect(so.spec.scaleTargetRef.kind ?? 'Deployment').toBe('Deployment');
        expect(find(withKeda, 'Deployment', service)).toBeDefined();
        expect(so.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
        expect(so.spec.triggers).toHaveLength(1);
        const [trigger] = so.spec.triggers;
        expect(trigger.type).toBe('prometheus');
        const query: string = trigger.metadata.query;
        expect(query).toContain('alert_relay_queue_jobs{');
        const selector = /queue=~?"([^"]+)"/.exec(query)![1];
        expect([service, selector.split('|').sort()]).toEqual([service, workerQueues(service).sort()]);
        const states = /state=~"([^"]+)"/.exec(query)![1].split('|');
        expect(states).toEqual(expect.arrayContaining(['waiting', 'delayed']));
      }
    });
  });
});

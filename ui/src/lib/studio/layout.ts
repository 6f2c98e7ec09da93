// The Studio's graph layout: dagre computes where each node and edge goes; the Svelte
// component only draws SVG from these numbers (no inline styles: the CSP stays strict).
import { Graph, layout as dagreLayout } from '@dagrejs/dagre';
import type { ScenarioGraph } from '../../ipc';

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  ending: boolean;
  outcome: string | null;
  start: boolean;
  say: string;
}

export interface PlacedEdge {
  key: string;
  from: string;
  to: string;
  /** SVG path data through dagre's points. */
  d: string;
  labelX: number;
  labelY: number;
  via: string;
  label: string;
  tested: boolean;
  coveredBy: string[];
}

export interface Placed {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const CHAR = 7.2;
const MARGIN = 16;

/** Lays out `graph` top to bottom: nodes sized to their ids, edges routed by dagre. */
export function layout(graph: ScenarioGraph): Placed {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 60, edgesep: 20, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) {
    g.setNode(n.id, { width: Math.max(80, n.id.length * CHAR + 24), height: 36 });
  }
  graph.edges.forEach((e, i) => {
    const text = shortLabel(e.via, e.label);
    g.setEdge(e.from, e.to, { width: Math.min(220, text.length * 6), height: 14, labelpos: 'c' }, `e${i}`);
  });
  dagreLayout(g);
  const nodes: PlacedNode[] = graph.nodes.map((n) => {
    const p = g.node(n.id);
    return {
      id: n.id,
      x: p.x - p.width / 2,
      y: p.y - p.height / 2,
      width: p.width,
      height: p.height,
      ending: n.outcome !== null,
      outcome: n.outcome,
      start: n.start,
      say: n.say,
    };
  });
  const edges: PlacedEdge[] = graph.edges.map((e, i) => {
    const p = g.edge({ v: e.from, w: e.to, name: `e${i}` });
    const points = p?.points ?? [];
    const d = points.map((pt: { x: number; y: number }, j: number) => `${j === 0 ? 'M' : 'L'}${round(pt.x)},${round(pt.y)}`).join(' ');
    return {
      key: `e${i}`,
      from: e.from,
      to: e.to,
      d,
      labelX: round(p?.x ?? 0),
      labelY: round(p?.y ?? 0),
      via: e.via,
      label: shortLabel(e.via, e.label),
      tested: e.covered_by.length > 0,
      coveredBy: e.covered_by,
    };
  });
  const info = g.graph();
  return { width: Math.ceil(info.width ?? 0), height: Math.ceil(info.height ?? 0), nodes, edges };
}

/** What an edge says on the drawing: its condition, or how it is taken. */
export function shortLabel(via: string, label: string): string {
  const text = label || via;
  return text.length > 36 ? `${text.slice(0, 35)}…` : text;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

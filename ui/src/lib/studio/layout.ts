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
  /** The short label drawn on the edge. */
  via: string;
  /** The condition in words (the tooltip). */
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
  // Edges are labelled by how they are taken (`b1` for branch 1, `else`, ...); the
  // condition itself is the edge's tooltip, so long conditions do not spread the drawing.
  graph.edges.forEach((e, i) => {
    g.setEdge(e.from, e.to, { width: viaLabel(e.via).length * 6 + 4, height: 12, labelpos: 'c' }, `e${i}`);
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
      via: viaLabel(e.via),
      label: e.label || e.via,
      tested: e.covered_by.length > 0,
      coveredBy: e.covered_by,
    };
  });
  const info = g.graph();
  return { width: Math.ceil(info.width ?? 0), height: Math.ceil(info.height ?? 0), nodes, edges };
}

/** What an edge says on the drawing: `b1` for `branch 1`, `else` for `otherwise`. */
export function viaLabel(via: string): string {
  const branch = /^branch (\d+)$/.exec(via);
  if (branch) return `b${branch[1]}`;
  return via === 'otherwise' ? 'else' : via;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

import type { ProvenanceStep } from '@ledgerkit/example-supply-chain';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

type Checkpoint = Extract<ProvenanceStep, { kind: 'checkpoint' }>;

interface Props {
  checkpoints: readonly ProvenanceStep[];
  maxTemperature: number;
}

/** The readings of every checkpoint, with the batch's limit as a dashed line; excursions in red. */
export function TemperatureChart({ checkpoints, maxTemperature }: Props) {
  const data = (checkpoints as Checkpoint[]).map((step) => ({
    name: `#${step.sequence} ${step.location}`,
    temperature: step.temperature,
    excursion: step.excursion,
  }));
  if (data.length === 0) return <p className="empty">No checkpoints recorded yet.</p>;
  const values = [...data.map((point) => point.temperature), maxTemperature];
  const low = Math.floor(Math.min(0, ...values) - 2);
  const high = Math.ceil(Math.max(...values) + 2);
  const summary = data
    .map((point) => `${point.name}: ${point.temperature} °C${point.excursion ? ' (above the limit)' : ''}`)
    .join('; ');
  return (
    <figure className="chart" data-testid="temperature-chart">
      <div role="img" aria-label={`Temperature per checkpoint, limit ${maxTemperature} °C. ${summary}`}>
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={data} margin={{ top: 16, right: 24, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#d6dde6" />
            <XAxis dataKey="name" tick={{ fontSize: 12 }} />
            <YAxis domain={[low, high]} unit=" °C" tick={{ fontSize: 12 }} width={64} />
            <Tooltip formatter={(value) => [`${String(value)} °C`, 'temperature']} />
            <ReferenceLine
              y={maxTemperature}
              stroke="#c0392b"
              strokeDasharray="6 4"
              label={{ value: `limit ${maxTemperature} °C`, position: 'insideTopRight', fill: '#c0392b', fontSize: 12 }}
            />
            <Line
              type="linear"
              dataKey="temperature"
              stroke="#1f5f8b"
              strokeWidth={2}
              isAnimationActive={false}
              dot={(props) => {
                const { cx, cy, payload, index } = props as {
                  cx: number;
                  cy: number;
                  index: number;
                  payload: { excursion: boolean };
                };
                return (
                  <circle
                    key={index}
                    cx={cx}
                    cy={cy}
                    r={payload.excursion ? 6 : 4}
                    fill={payload.excursion ? '#c0392b' : '#1f5f8b'}
                    stroke="#fff"
                    strokeWidth={1.5}
                  />
                );
              }}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption>Readings per checkpoint; the dashed line is the batch's limit ({maxTemperature} °C).</figcaption>
    </figure>
  );
}

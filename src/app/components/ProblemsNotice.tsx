import type { Problem } from '../../core/config/codec';

export interface ProblemsNoticeProps {
  problems: Problem[];
  onDismiss(): void;
}

/** What the shared link asked for that could not be used as is. Plain text only. */
export function ProblemsNotice({ problems, onDismiss }: ProblemsNoticeProps) {
  if (problems.length === 0) return null;
  return (
    <section className="notice" aria-label="Link problems">
      <div role="alert">
        <p className="notice-title">Some settings in this link could not be used as written:</p>
        <ul>
          {problems.map((problem, index) => (
            <li key={index}>{problem.key}: {problem.message}</li>
          ))}
        </ul>
      </div>
      <button type="button" onClick={onDismiss}>Dismiss</button>
    </section>
  );
}

export interface ErrorAlertProps {
  message: string | null;
  onDismiss(): void;
}

/** What went wrong with the run and what to do next. */
export function ErrorAlert({ message, onDismiss }: ErrorAlertProps) {
  if (message === null) return null;
  return (
    <div role="alert" className="error-alert">
      <p>{message}</p>
      <button type="button" onClick={onDismiss}>Dismiss</button>
    </div>
  );
}

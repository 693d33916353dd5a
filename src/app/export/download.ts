/** Saves data as a file through the browser's download, without a server. */
export function downloadFile(fileName: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The browser reads the blob after click() returns; a second later it has it, and the URL can go.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

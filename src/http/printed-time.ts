/** A moment as the pages and the emails print it: "2027-03-02 09:00 UTC". */
export const printed = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

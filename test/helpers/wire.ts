/**
 * The shapes the end-to-end tests read back from the two emulators' HTTP APIs (Hub's users, groups
 * and organizations; Customcrm's Contacts and Customers), as far as the tests look at them.
 */
export type HubUser = {
  id: string;
  login: string;
  name: string;
  guest?: boolean;
  banned?: boolean;
  profile?: { email?: { email?: string } };
};
export type Named = { id: string; name: string; description?: string | null };
export type HubGroup = Named & { allUsers?: boolean; registeredUsers?: boolean };
export type Contact = {
  Id: string;
  FirstName: string | null;
  LastName: string | null;
  Email: string | null;
  Active: boolean;
  Phone: string | null;
  CustomerId: string | null;
  Username: string | null;
};
export type Customer = {
  Id: string;
  Name: string;
  Description: string | null;
  Phone: string | null;
  Version: number;
};

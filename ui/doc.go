// Package ui is the root of the hub's server-rendered pages. The pages live
// in its sub-packages: layout (the base page and the error page), citizen
// (the citizen page), seat (the staff pages) and static (the embedded CSS
// and JavaScript). Components take view models shaped like the screen and
// never touch a service; package appliance/web fills the view models.
//
// Every interactive element and every element a test reads carries a
// data-testid attribute. The browser scripts find elements through those
// attributes too, so renaming one is a change of the page's contract.
package ui

using UserAudit.Tests.EndToEnd;
using Xunit;

// One shared application for the end-to-end tests that do not break it.
[assembly: AssemblyFixture(typeof(UserAuditApp))]

using Xunit;
using UserAudit.Tests.EndToEnd;

// One shared application for the end-to-end tests that do not break it.
[assembly: AssemblyFixture(typeof(UserAuditApp))]

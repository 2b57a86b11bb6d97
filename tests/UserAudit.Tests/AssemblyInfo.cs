using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using Xunit;

// One shared application for the end-to-end tests that do not break it.
[assembly: AssemblyFixture(typeof(UserAuditApp))]

// One scratch PostgreSQL server, started on first use, for the stores tested on both providers.
[assembly: AssemblyFixture(typeof(TestPostgres))]

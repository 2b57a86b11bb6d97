using Xunit;

namespace UserAudit.Tests.Infrastructure;

/// <summary>
/// Tests that drive a service at a set rate and assert how much work got done (the fault suite, the
/// hostile-request storm). They run alone, after the rest of the suite has run two at a time, so
/// another test's load does not eat the cores they measure.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class LoadSensitive;

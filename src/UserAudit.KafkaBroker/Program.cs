using UserAudit.KafkaBroker.Hosting;

BrokerHost.Create(args).Run();

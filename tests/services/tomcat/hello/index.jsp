<%@ page contentType="text/plain" %>unroot-tomcat <%= 6 * 7 %>
